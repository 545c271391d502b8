package signaling_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/signaling"
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
	s, err := sfu.New(sfu.Config{ICEUDPAddr: "127.0.0.1:0", Loopback: true})
	if err != nil {
		b.Fatal(err)
	}
	signer, err := token.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		b.Fatal(err)
	}
	sig := signaling.New(signaling.Config{SFU: s, Signer: signer})
	mux := http.NewServeMux()
	sig.Register(mux)
	ts := httptest.NewServer(mux)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sig.Shutdown(ctx)
		ts.Close()
		_ = s.Close()
	}()
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/rtc"
	tok := func(user string, role token.Role) string {
		t, err := signer.Issue(token.Claims{Lesson: "bench", User: user, Name: user, Role: role,
			Permissions: token.DefaultPermissions(role)}, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		return t
	}
	ctx := context.Background()
	pub, err := peer.NewTeacher()
	if err != nil {
		b.Fatal(err)
	}
	api, err := peer.NewAPI()
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	teacher, err := peer.Join(ctx, url, tok("teacher", token.RoleTeacher), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer teacher.Close()
	if err := teacher.Publish(ctx, pub); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for r := s.Room("bench"); r == nil || len(r.Tracks()) < 2; r = s.Room("bench") {
		if time.Now().After(deadline) {
			b.Fatal("the teacher's tracks never appeared")
		}
		time.Sleep(10 * time.Millisecond)
	}
	joins := max(b.N, 50)
	var toPacket, toFrame []time.Duration
	b.ResetTimer()
	for i := 0; i < joins; i++ {
		sub, err := peer.NewSubscriber(api)
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		cl, err := peer.Join(ctx, url, tok("s"+strconv.Itoa(i), token.RoleStudent), sub)
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
