package signaling_test

import (
	"context"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// BenchmarkJoinToFirstVideo times a student's join on loopback: from
// opening the WebSocket to the first video packet, and to the first
// complete (key)frame, with the teacher already publishing. Joins run one
// after another, each student leaving before the next joins; at least 50
// are timed whatever b.N is. Reported: p50/p99 of both, in ms.
//
//	go test ./signaling -run '^$' -bench JoinToFirstVideo -benchtime 100x
func BenchmarkJoinToFirstVideo(b *testing.B) {
	for _, gap := range []time.Duration{0, 600 * time.Millisecond} {
		b.Run("gap="+gap.String(), func(b *testing.B) { benchJoin(b, gap) })
	}
}

func benchJoin(b *testing.B, gap time.Duration) {
	ts := newServer(b)
	ctx := context.Background()
	api, err := peer.NewAPI()
	if err != nil {
		b.Fatal(err)
	}
	peer.Teach(b, ctx, ts.wsURL(), ts.token(b, "bench", "teacher", token.RoleTeacher), peer.NewTeacher)
	peer.WaitTracks(b, ts.sfu, "bench", 2)
	joins := max(b.N, 50)
	var toPacket, toFrame []time.Duration
	b.ResetTimer()
	for i := 0; i < joins; i++ {
		sub, err := peer.NewSubscriber(api)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		cl, err := peer.Join(ctx, ts.wsURL(), ts.token(b, "bench", "s"+strconv.Itoa(i), token.RoleStudent), sub)
		if err != nil {
			b.Fatal(err)
		}
		v := sub.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second)
		if v == nil || !v.WaitKeyframe(5*time.Second) {
			b.Fatalf("join %d: no video frame within 5 s", i)
		}
		st := v.Stats()
		toPacket = append(toPacket, st.FirstPacketAt.Sub(t0))
		toFrame = append(toFrame, st.FirstFrameAt.Sub(t0))
		b.StopTimer()
		cl.Close()
		sub.Close()
		time.Sleep(gap)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(joins), "ns/op")
	b.ReportMetric(pct(toPacket, 0.50), "p50-packet-ms")
	b.ReportMetric(pct(toPacket, 0.99), "p99-packet-ms")
	b.ReportMetric(pct(toFrame, 0.50), "p50-frame-ms")
	b.ReportMetric(pct(toFrame, 0.99), "p99-frame-ms")
	b.ReportMetric(float64(joins), "joins")
}

// pct returns the q-quantile (nearest rank) of ds in milliseconds.
func pct(ds []time.Duration, q float64) float64 {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s))+0.5) - 1
	i = min(max(i, 0), len(s)-1)
	return float64(s[i]) / float64(time.Millisecond)
}
