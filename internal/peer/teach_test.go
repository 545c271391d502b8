package peer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// server is a signalling server on loopback with its SFU.
type server struct {
	url    string
	signer *token.Signer
	sfu    *sfu.SFU
}

func newServer(t *testing.T) *server {
	t.Helper()
	s, err := sfu.New(sfu.Config{ICEUDPAddr: "127.0.0.1:0", Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := token.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	sig := signaling.New(signaling.Config{SFU: s, Signer: signer, IdleTimeout: time.Minute,
		Limits: signaling.Limits{PerAddress: -1}})
	mux := http.NewServeMux()
	sig.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sig.Shutdown(ctx)
		ts.Close()
		_ = s.Close()
	})
	return &server{url: "ws" + strings.TrimPrefix(ts.URL, "http") + "/rtc", signer: signer, sfu: s}
}

func (s *server) token(t *testing.T, user string, role token.Role) string {
	t.Helper()
	tok, err := s.signer.Issue(token.Claims{Lesson: "L", User: user, Name: user, Role: role,
		Permissions: token.DefaultPermissions(role)}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestTeachIsLive: Teach returns a joined teacher whose publishing
// connection is up, and the server registers its camera and microphone.
func TestTeachIsLive(t *testing.T) {
	s := newServer(t)
	c, pub := peer.Teach(t, context.Background(), s.url, s.token(t, "teacher", token.RoleTeacher), peer.NewTeacher)
	if c.Joined.Participant.Role != token.RoleTeacher {
		t.Errorf("joined as %q, want the teacher", c.Joined.Participant.Role)
	}
	if st := pub.PC.ConnectionState(); st != webrtc.PeerConnectionStateConnected {
		t.Fatalf("Teach returned with the publishing connection %s", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for r := s.sfu.Room("L"); r == nil || len(r.Tracks()) < 2; r = s.sfu.Room("L") {
		if time.Now().After(deadline) {
			t.Fatal("the server never registered the teacher's two tracks")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPublishLiveRefused: a student may not publish; PublishLive says so
// at once instead of waiting for a connection.
func TestPublishLiveRefused(t *testing.T) {
	s := newServer(t)
	c, err := peer.Join(context.Background(), s.url, s.token(t, "student", token.RoleStudent), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pub, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := c.PublishLive(context.Background(), pub); !peer.IsError(err, signaling.CodeForbidden) {
		t.Fatalf("a student's PublishLive: %v, want forbidden", err)
	}
}

// fakeT records what Teach does with its test.
type fakeT struct {
	mu       sync.Mutex
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

// TestTeachFailsItsTest: when the publish is refused, Teach fails its
// test with the reason, and what it opened is left to the test's cleanup.
func TestTeachFailsItsTest(t *testing.T) {
	s := newServer(t)
	f := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		peer.Teach(f, context.Background(), s.url, s.token(t, "student", token.RoleStudent), peer.NewTeacher)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Teach did not return")
	}
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
