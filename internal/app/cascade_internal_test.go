package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern/lectern/cluster/cascade"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// TestEdgeCloseWithLingeringRelay: an edge whose relay lingers after its
// last student left shuts down at once: Close stops the linger timer (it
// never fires afterwards), ends the relay, and leaves no goroutine behind.
// A student who comes back within the linger keeps the relay, and the
// linger counts from the last departure.
func TestEdgeCloseWithLingeringRelay(t *testing.T) {
	const lesson = "linger"
	secret := []byte(strings.Repeat("s", 32))
	newSFU := func() *sfu.SFU {
		s, err := sfu.New(sfu.Config{ICEUDPAddr: "127.0.0.1:0", Loopback: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	originSFU, edgeSFU := newSFU(), newSFU()
	pub, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	teacher, err := originSFU.Join(lesson, sfu.ParticipantConfig{ID: "teacher", Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(teacher.Close)
	publishPeer(t, teacher, pub)
	for deadline := time.Now().Add(10 * time.Second); len(teacher.Tracks()) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the teacher's tracks never reached the origin")
		}
	}
	origin := cascade.NewOrigin(originSFU, secret)
	mux := http.NewServeMux()
	mux.Handle(cascade.RelayPath, origin)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	newEdge := func(linger time.Duration) (*cascadeEdge, *atomic.Int32) {
		cfg := cascade.EdgeConfig{SFU: edgeSFU, Secret: secret, NodeID: "edge"}
		c := newEdgeOf(cascade.NewEdge(cfg, func(context.Context, string) (string, string, error) {
			return "origin", srv.URL, nil
		}), cfg)
		c.linger = linger
		var ended atomic.Int32
		c.lingerEnded = func(string) { ended.Add(1) }
		t.Cleanup(func() { _ = c.Close() })
		return c, &ended
	}
	relayUp := func(c *cascadeEdge) <-chan struct{} {
		t.Helper()
		done, err := c.Relay(context.Background(), lesson)
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if r := edgeSFU.Room(lesson); r != nil && len(r.Tracks()) == 2 {
				return done
			}
			if time.Now().After(deadline) {
				t.Fatal("the edge never got the teacher's two tracks")
			}
		}
	}

	t.Run("close", func(t *testing.T) {
		time.Sleep(300 * time.Millisecond) // the teacher's connection settles
		base := runtime.NumGoroutine()
		c, ended := newEdge(300 * time.Millisecond)
		done := relayUp(c)
		c.Release(lesson) // the relay lingers
		start := time.Now()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Close took %v with a lingering relay", d)
		}
		select {
		case <-done:
		default:
			t.Error("Close left the lingering relay running")
		}
		if err := c.Close(); err != nil {
			t.Errorf("a second Close: %v", err)
		}
		time.Sleep(600 * time.Millisecond) // twice the linger
		if n := ended.Load(); n != 0 {
			t.Errorf("a linger timer fired %d times after Close", n)
		}
		origin.Wait()
		var now int
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if now = runtime.NumGoroutine(); now <= base {
				break
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Fatalf("%d goroutines after Close, %d before the edge:\n%s", now, base, buf[:runtime.Stack(buf, true)])
			}
		}
	})

	t.Run("comes back", func(t *testing.T) {
		const linger = time.Second
		c, ended := newEdge(linger)
		done := relayUp(c)
		c.Release(lesson)
		if _, err := c.Relay(context.Background(), lesson); err != nil { // back at once
			t.Fatal(err)
		}
		time.Sleep(linger + linger/2)
		select {
		case <-done:
			t.Fatal("the relay ended while a student was back")
		default:
		}
		if n := ended.Load(); n != 0 {
			t.Fatalf("the linger ended %d times while a student was back", n)
		}
		c.Release(lesson)
		select {
		case <-done:
		case <-time.After(linger + 10*time.Second):
			t.Fatal("the relay outlived its linger")
		}
		if n := ended.Load(); n != 1 {
			t.Errorf("the linger ended %d times, want once", n)
		}
	})
}

// publishPeer publishes pub's camera and microphone as part and starts it.
func publishPeer(t *testing.T, part *sfu.Participant, pub *peer.Publisher) {
	t.Helper()
	offer, err := pub.PC.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pub.PC)
	if err := pub.PC.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	sources := map[string]sfu.Source{}
	for id, src := range pub.Sources() {
		sources[id] = sfu.Source(src)
	}
	answer, err := part.Publish(pub.PC.LocalDescription().SDP, sources)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if err := pub.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	pub.Start()
}
