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
)

// TestEdgeCloseWithLingeringRelay: an edge whose relay lingers after its
// last student left shuts down at once: Close stops the linger timer (it
// never fires afterwards), ends the relay, and leaves no goroutine behind.
// A student who comes back within the linger keeps the relay, and the
// linger counts from the last departure.
func TestEdgeCloseWithLingeringRelay(t *testing.T) {
	e := newLingerFixture(t)
	lesson, newEdge, relayUp := e.lesson, e.newEdge, e.relayUp

	t.Run("close", func(t *testing.T) {
		time.Sleep(300 * time.Millisecond) // the teacher's connection settles
		base := runtime.NumGoroutine()
		c, ended := newEdge(300 * time.Millisecond)
		done := relayUp(c)
		c.Release(lesson) // the relay lingers
		// Close does not wait out the linger: the timer is stopped, so it
		// never fires (ended stays 0 below).
		if err := c.Close(); err != nil {
			t.Fatal(err)
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
		e.origin.Wait()
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

// lingerFixture is an origin where the teacher publishes, and an edge SFU
// whose cascadeEdges (newEdge) relay the lesson from it.
type lingerFixture struct {
	t       *testing.T
	lesson  string
	secret  []byte
	edgeSFU *sfu.SFU
	srv     *httptest.Server
	origin  *cascade.Origin
}

func newLingerFixture(t *testing.T) *lingerFixture {
	t.Helper()
	e := &lingerFixture{t: t, lesson: "linger", secret: []byte(strings.Repeat("s", 32))}
	originSFU := peer.SFU(t)
	e.edgeSFU = peer.SFU(t)
	pub, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	teacher, err := originSFU.Join(e.lesson, sfu.ParticipantConfig{ID: "teacher", Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(teacher.Close)
	peer.PublishesTo(t, teacher, pub.PC, pub.Sources())
	pub.Start()
	peer.WaitTracks(t, originSFU, e.lesson, 2)
	mux := http.NewServeMux()
	e.origin = cascade.NewOrigin(originSFU, e.secret)
	mux.Handle(cascade.RelayPath, e.origin)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// newEdge is a cascadeEdge whose relays linger that long; the counter
// counts the lingers that ended.
func (e *lingerFixture) newEdge(linger time.Duration) (*cascadeEdge, *atomic.Int32) {
	cfg := cascade.EdgeConfig{SFU: e.edgeSFU, Secret: e.secret, NodeID: "edge"}
	c := newEdgeOf(cascade.NewEdge(cfg, func(context.Context, string) (string, string, error) {
		return "origin", e.srv.URL, nil
	}), cfg)
	c.linger = linger
	var ended atomic.Int32
	c.lingerEnded = func(string) { ended.Add(1) }
	e.t.Cleanup(func() { _ = c.Close() })
	return c, &ended
}

// relayUp joins one student's relay at c and waits for the teacher's
// tracks on the edge.
func (e *lingerFixture) relayUp(c *cascadeEdge) <-chan struct{} {
	e.t.Helper()
	done, err := c.Relay(context.Background(), e.lesson)
	if err != nil {
		e.t.Fatal(err)
	}
	peer.WaitTracks(e.t, e.edgeSFU, e.lesson, 2)
	return done
}

// TestEdgeStudentArrivingAsLingerEnds: a student who joins at the very
// moment the relay's linger ends gets a relay that stays up: the linger's
// decision and a student's join of the lesson do not interleave.
func TestEdgeStudentArrivingAsLingerEnds(t *testing.T) {
	e := newLingerFixture(t)
	c, _ := e.newEdge(100 * time.Millisecond)
	first := e.relayUp(c)
	type got struct {
		done <-chan struct{}
		err  error
	}
	arrived := make(chan got, 1)
	c.lingerEnded = func(lesson string) {
		// The student's join starts now and counts before the linger
		// decides, or waits for it.
		go func() {
			d, err := c.Relay(context.Background(), lesson)
			arrived <- got{d, err}
		}()
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			c.mu.Lock()
			n := c.students[lesson]
			c.mu.Unlock()
			if n > 0 {
				return
			}
		}
	}
	c.Release(e.lesson)
	var g got
	select {
	case g = <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the student's join never returned")
	}
	if g.err != nil {
		t.Fatal(g.err)
	}
	time.Sleep(500 * time.Millisecond)
	select {
	case <-g.done:
		t.Errorf("the relay the student joined ended under it (the first relay ended too: %v)", isClosed(first))
	default:
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
