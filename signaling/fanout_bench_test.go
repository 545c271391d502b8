package signaling_test

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

// BenchmarkChatFanout measures the time from a teacher sending a chat
// message to each of 500 connected students receiving it, over real
// WebSockets on loopback. It reports p50 and p99 of the per-student
// latency and the heap per idle participant.
//
//	go test ./signaling -run '^$' -bench ChatFanout -benchtime 20x
func BenchmarkChatFanout(b *testing.B) {
	const students = 500
	// The students never send anything: the idle timeout must outlast
	// 500 joins on a loaded machine and the run.
	ts := newServerIdle(b, 30*time.Minute)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	teacher := fanoutJoin(b, ts, "F", "teacher", token.RoleTeacher)
	defer teacher.Close()
	clients := make([]*peer.Client, students)
	for i := range clients {
		clients[i] = fanoutJoin(b, ts, "F", fmt.Sprint("s", i), token.RoleStudent)
		defer clients[i].Close()
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heapPer := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(students+1) / 1024

	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		text := fmt.Sprint("message ", i)
		var wg sync.WaitGroup
		got := make([]time.Duration, students)
		start := time.Now()
		for j, c := range clients {
			wg.Add(1)
			go func(j int, c *peer.Client) {
				defer wg.Done()
				if _, ok := c.WaitEvent("chat.message", 10*time.Second, func(e signaling.Envelope) bool {
					return strings.Contains(string(e.Payload), `"`+text+`"`)
				}); ok {
					got[j] = time.Since(start)
				} else {
					got[j] = 10 * time.Second
				}
			}(j, c)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := teacher.Request(ctx, "chat.send", map[string]any{"text": text}); err != nil {
			b.Fatal(err)
		}
		cancel()
		wg.Wait()
		missed := 0
		for _, d := range got {
			if d >= 10*time.Second {
				missed++
			}
		}
		if missed > 0 {
			b.Fatalf("message %d: %d of %d students did not receive it within 10 s", i, missed, students)
		}
		lat = append(lat, got...)
		time.Sleep(2100 * time.Millisecond) // the teacher's chat rate limit: 5 per 10 s
	}
	b.StopTimer()
	// Server and client sides of each connection are in this process.
	b.ReportMetric(heapPer, "KiB-heap/participant(both-ends)")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func fanoutJoin(b *testing.B, ts *testServer, lesson, user string, role token.Role) *peer.Client {
	b.Helper()
	tok, err := ts.signer.Issue(token.Claims{Lesson: lesson, User: user, Name: user, Role: role, Permissions: token.DefaultPermissions(role)}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := peer.Join(ctx, ts.wsURL(), tok, nil)
	if err != nil {
		b.Fatal(err)
	}
	return c
}
