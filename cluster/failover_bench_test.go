package cluster_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
)

// BenchmarkFailover measures the failover time of a lesson on three
// `lectern serve` processes with the default lease (5 s): from the
// owner's SIGKILL to a student receiving the teacher's video again from
// another node, both coming back through their usual path (ask a node,
// follow "moved", retry every 200 ms). Each iteration kills the owner of
// a new lesson and starts a fresh node in its place (not timed). It
// reports p50 and p99 (the maximum below 100 iterations):
//
//	go test ./cluster -run '^$' -bench Failover -benchtime 10x
func BenchmarkFailover(b *testing.B) {
	c := startThree(b)
	nodes, signer, bin, dbURL, secretHex := c.nodes, c.signer, c.bin, c.dbURL, c.hex
	ctx := context.Background()
	var times []time.Duration
	for i := 0; i < b.N; i++ {
		lesson := uuid.NewString()
		tch := operatorToken(b, signer, lesson, "teacher", token.RoleTeacher)
		stu := operatorToken(b, signer, lesson, "student", token.RoleStudent)
		teacher, at := teach(b, ctx, nodes, tch, time.Now().Add(20*time.Second))
		sub := peer.Viewer(b)
		student, _, err := rejoin(ctx, nodes, stu, time.Now().Add(20*time.Second), sub)
		if err != nil {
			b.Fatal(err)
		}
		if !seesVideo(sub, 20*time.Second) {
			b.Fatal("no video before the kill")
		}
		var own *node
		var rest []*node
		for _, n := range nodes {
			if n.ws() == at {
				own = n
			} else {
				rest = append(rest, n)
			}
		}
		if own == nil {
			b.Fatalf("the teacher joined at %s, not a node of the test", at)
		}
		killed := time.Now()
		own.kill()
		teacher.Close()
		student.Close()
		sub2 := peer.Viewer(b)
		teach(b, ctx, rest, tch, killed.Add(30*time.Second))
		student, _, err = rejoin(ctx, rest, stu, killed.Add(30*time.Second), sub2)
		if err != nil {
			b.Fatal(err)
		}
		if !seesVideo(sub2, 30*time.Second) {
			b.Fatal("no video after the failover")
		}
		times = append(times, time.Since(killed))
		student.Close()
		nodes = append(rest, startNode(b, bin, dbURL, secretHex))
	}
	slices.Sort(times)
	p := func(q float64) float64 {
		return float64(times[min(len(times)-1, int(q*float64(len(times))))].Milliseconds())
	}
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}
