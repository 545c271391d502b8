package signaling_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// The tests of peer.Teach, the tests' "teacher joins and publishes", live
// here, beside the signalling server they need.

// TestTeachIsLive: Teach returns a joined teacher whose publishing
// connection is up, and the server registers its camera and microphone.
func TestTeachIsLive(t *testing.T) {
	ts := newServer(t)
	c, pub := peer.Teach(t, context.Background(), ts.wsURL(), ts.token(t, "T", "teacher", token.RoleTeacher), peer.NewTeacher)
	if c.Joined.Participant.Role != token.RoleTeacher {
		t.Errorf("joined as %q, want the teacher", c.Joined.Participant.Role)
	}
	if st := pub.PC.ConnectionState(); st != webrtc.PeerConnectionStateConnected {
		t.Fatalf("Teach returned with the publishing connection %s", st)
	}
	peer.WaitTracks(t, ts.sfu, "T", 2)
}

// fakeT records what Teach does with its test.
type fakeT struct {
	mu       sync.Mutex // guards fatal and cleanups
	fatal    string
	cleanups []func()
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeT) Cleanup(fn func()) {
	f.mu.Lock()
	f.cleanups = append(f.cleanups, fn)
	f.mu.Unlock()
}

// TestTeachFailsItsTest: a student may not publish, and Teach fails its
// test with the refusal at once instead of waiting for a connection; what
// it opened is left to the test's cleanup.
func TestTeachFailsItsTest(t *testing.T) {
	ts := newServer(t)
	f := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		peer.Teach(f, context.Background(), ts.wsURL(), ts.token(t, "T", "student", token.RoleStudent), peer.NewTeacher)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Teach did not return")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !strings.Contains(f.fatal, "publishing") || !strings.Contains(f.fatal, signaling.CodeForbidden) {
		t.Errorf("Teach failed its test with %q, want a refused publish", f.fatal)
	}
	if len(f.cleanups) != 2 {
		t.Errorf("%d cleanups registered, want the client's and the publisher's", len(f.cleanups))
	}
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}
