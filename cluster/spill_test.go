package cluster

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestSpillChoosesOneEdge: a lesson below --spill-at sends everyone to its
// owner; once it has reached it, the owner chooses the least-loaded other
// node below its capacity, and every node's answer for a student names that
// edge (a teacher's, or a student's on stage, still names the owner); the edge knows it is one and
// who its origin is. An edge that gives up (it cannot reach the owner) is
// not chosen again, nor is a full one; when the edge leaves, the owner chooses another; a
// new lease epoch (failover) voids the choice.
func TestSpillChoosesOneEdge(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	const lesson = "big-lesson"
	var load atomic.Int32
	spilling := func(id, public string, nodeLoad int) *Node {
		n, err := New(ctx, Config{DatabaseURL: url, ID: id, URL: public, LeaseTTL: 3 * time.Second, SpillAt: 3,
			Load: func() int { return nodeLoad }, LessonLoad: func(l string) int {
				if l == lesson && id == "a" {
					return int(load.Load())
				}
				return 0
			}, OnStage: func(_ context.Context, l, account string) bool { return account == "on-stage" }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = n.Close() })
		return n
	}
	a := spilling("a", "http://127.0.0.1:1001", 0)
	full := spilling("full", "http://127.0.0.1:1004", 1)
	if _, err := full.pool.Exec(ctx, `UPDATE cluster_nodes SET capacity = 1 WHERE id = 'full'`); err != nil {
		t.Fatal(err)
	}
	c := spilling("c", "http://127.0.0.1:1003", 5)
	b := spilling("b", "http://127.0.0.1:1002", 2)
	for _, n := range []*Node{a, b, c, full} {
		n.Start(newRecorder())
	}
	if o, err := a.Place(ctx, lesson); err != nil || o.NodeID != "a" {
		t.Fatalf("placed on %+v, %v", o, err)
	}
	load.Store(2)
	for _, n := range []*Node{a, b, c} {
		if u, err := n.JoinURL(ctx, lesson, "student", true); err != nil || u != a.URL() {
			t.Fatalf("below spill-at, %s sends a student to %q, %v; want the owner", n.ID(), u, err)
		}
	}
	load.Store(3)
	if u, err := a.JoinURL(ctx, lesson, "student", false); err != nil || u != a.URL() {
		t.Fatalf("a teacher is sent to %q, %v; want the owner", u, err)
	}
	for _, n := range []*Node{a, b, c} {
		if u, err := n.JoinURL(ctx, lesson, "student", true); err != nil || u != b.URL() {
			t.Fatalf("at spill-at, %s sends a student to %q, %v; want b, the least-loaded other node", n.ID(), u, err)
		}
	}
	if u, err := c.JoinURL(ctx, lesson, "on-stage", true); err != nil || u != a.URL() {
		t.Fatalf("a student on stage is sent to %q, %v; want the owner, where it can publish", u, err)
	}
	if o, ok, err := b.EdgeOf(ctx, lesson); err != nil || !ok || o.NodeID != "a" || o.URL != a.URL() {
		t.Fatalf("b as edge: %+v %v %v", o, ok, err)
	}
	for _, n := range []*Node{a, c} {
		if _, ok, err := n.EdgeOf(ctx, lesson); err != nil || ok {
			t.Fatalf("%s thinks it is the edge (%v)", n.ID(), err)
		}
	}

	// The edge cannot reach the owner and gives up: the owner chooses c,
	// though b is less loaded.
	if err := b.GiveUpEdge(ctx, lesson); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := b.EdgeOf(ctx, lesson); err != nil || ok {
		t.Fatalf("b is still the edge after giving up (%v)", err)
	}
	if u, err := a.JoinURL(ctx, lesson, "student", true); err != nil || u != c.URL() {
		t.Fatalf("after b gave up, the owner names %q, %v; want c", u, err)
	}
	// c fills up (its load reaches its capacity) and b gave up: no other
	// node can take students, so the owner takes them.
	if _, err := a.pool.Exec(ctx, `UPDATE cluster_nodes SET capacity = 5 WHERE id = 'c'`); err != nil {
		t.Fatal(err)
	}
	if u, err := a.JoinURL(ctx, lesson, "student", true); err != nil || u != a.URL() {
		t.Fatalf("with every other node full or given up, the owner names %q, %v; want itself", u, err)
	}
	if _, err := a.pool.Exec(ctx, `UPDATE cluster_nodes SET capacity = 0 WHERE id = 'c'`); err != nil {
		t.Fatal(err)
	}
	// The edge leaves: the owner's next answer (or heartbeat) chooses
	// another live node.
	_ = b.Close()
	if u, err := a.JoinURL(ctx, lesson, "student", true); err != nil || u != c.URL() {
		t.Fatalf("with b gone, the owner names %q, %v; want c", u, err)
	}
	// The owner's heartbeat makes the choice too, without a join answer.
	if _, err := a.pool.Exec(ctx, `DELETE FROM lesson_spills`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok, err := c.EdgeOf(ctx, lesson); err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the owner's heartbeat chose no edge")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A new epoch voids it.
	if _, err := a.pool.Exec(ctx, `UPDATE lesson_leases SET epoch = epoch + 1`); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.EdgeOf(ctx, lesson); err != nil || ok {
		t.Fatalf("an edge chosen under an old epoch still holds (%v)", err)
	}
	if _, err := New(ctx, Config{DatabaseURL: url, URL: "http://x", SpillAt: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("negative spill-at: %v, want ErrConfig", err)
	}
}
