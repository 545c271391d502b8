package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/token"
)

// BenchmarkSlidePageTurn: one slides.page through Dispatch, as the
// signalling layer runs it, on each backend: the change is appended to the
// slide log and the room state rewritten, under the lesson's lock, with 30
// students in the room. Reports p50 and p99 latency; the fan-out of the
// one event to the sessions is signalling's and not counted.
func BenchmarkSlidePageTurn(b *testing.B) {
	for _, be := range testBackends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			ctx := context.Background()
			l := live.New("lesson-bench", live.WithStore(s.Live()), live.WithDecks(oneDeck{}))
			join := func(id string, role token.Role) {
				if _, err := l.Join(ctx, live.JoinRequest{ConnID: id, UserID: "u-" + id, Name: id, Role: role,
					Perms: token.DefaultPermissions(role)}); err != nil {
					b.Fatal(err)
				}
			}
			join("t", token.RoleTeacher)
			for i := range 30 {
				join("s"+string(rune('a'+i)), token.RoleStudent)
			}
			if _, err := l.Dispatch(ctx, "t", live.MsgSlidesOpen, []byte(`{"materialId":"deck"}`)); err != nil {
				b.Fatal(err)
			}
			pages := [][]byte{[]byte(`{"page":2}`), []byte(`{"page":3}`)}
			lat := make([]time.Duration, 0, b.N)
			i := 0
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				if _, err := l.Dispatch(ctx, "t", live.MsgSlidesPage, pages[i%2]); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				i++
			}
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}
