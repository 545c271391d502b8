package cascade_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lectern/lectern/cluster/cascade"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// BenchmarkCascadeHop measures what one cascade hop adds. One operation is
// one packet (video or sound) a student receives from the teacher, either
// on the origin ("direct") or on an edge fed by a relay ("cascade"); all
// peers run in this process on loopback. It reports the delay from the
// teacher's transport to the student's (p50, p99 in ms) and the process's
// CPU time per received packet and as a share of one core (with every
// peer's background work: ICE, RTCP, estimators, at the clip's real-time
// rate); cascade minus direct is the hop's cost.
func BenchmarkCascadeHop(b *testing.B) {
	for _, mode := range []string{"direct", "cascade"} {
		b.Run(mode, func(b *testing.B) { benchHop(b, mode == "cascade") })
	}
}

func benchHop(b *testing.B, cascaded bool) {
	const lesson = "bench"
	stamps := peer.NewStamps()
	video, err := peer.LoadIVF(filepath.Join(peer.MediaDir(), "teacher.ivf"))
	if err != nil {
		b.Fatal(err)
	}
	audio, err := peer.LoadOgg(filepath.Join(peer.MediaDir(), "teacher.ogg"))
	if err != nil {
		b.Fatal(err)
	}
	sendAPI, err := peer.NewAPIWith(peer.StampSender(stamps))
	if err != nil {
		b.Fatal(err)
	}
	pub, err := peer.NewPublisher(sendAPI, video, audio)
	if err != nil {
		b.Fatal(err)
	}
	origin := newSFU(b)
	teachWith(b, origin, lesson, pub)
	peer.WaitTracks(b, origin, lesson, 2)

	served := origin
	if cascaded {
		served, _ = relayTo(b, origin, lesson)
		peer.WaitTracks(b, served, lesson, 2)
	}

	var (
		mu       sync.Mutex
		counting bool
		delays   []time.Duration
		want     int
		enough   = make(chan struct{})
	)
	recvAPI, err := peer.NewAPIWith(peer.StampReceiver(stamps, func(p peer.ReceivedPacket) {
		if !p.Stamped {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !counting || len(delays) >= want {
			return
		}
		delays = append(delays, p.At-p.Stamp.At)
		if len(delays) == want {
			close(enough)
		}
	}))
	if err != nil {
		b.Fatal(err)
	}
	st := joinWith(b, served, lesson, "student", recvAPI)
	if v := st.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 10*time.Second); v == nil || !v.WaitKeyframe(5*time.Second) {
		b.Fatal("the student receives no video")
	}

	cpu0, wall0 := cpuTime(), time.Now()
	b.ResetTimer()
	mu.Lock()
	counting, want = true, b.N
	mu.Unlock()
	select {
	case <-enough:
	case <-time.After(time.Duration(b.N)*20*time.Millisecond + 10*time.Second):
		mu.Lock()
		n := len(delays)
		mu.Unlock()
		b.Fatalf("received %d of %d packets in time", n, b.N)
	}
	b.StopTimer()
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	mu.Lock()
	slices.Sort(delays)
	p50, p99 := delays[len(delays)/2], delays[len(delays)*99/100]
	mu.Unlock()
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/pkt")
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu-%")
}

// relayTo starts an edge SFU relaying lesson from origin (no cluster:
// the origin serves every lesson) and returns it with the relay.
func relayTo(b testing.TB, origin *sfu.SFU, lesson string) (*sfu.SFU, *cascade.Relay) {
	b.Helper()
	edge := newSFU(b)
	mux := http.NewServeMux()
	mux.Handle(cascade.RelayPath, cascade.NewOrigin(origin, secret))
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	r, err := cascade.Dial(context.Background(), cascade.EdgeConfig{SFU: edge, Secret: secret, NodeID: "edge",
		OriginID: "origin", OriginURL: srv.URL}, lesson)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = r.Close() })
	return edge, r
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
