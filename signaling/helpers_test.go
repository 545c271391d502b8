package signaling_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

type testServer struct {
	*httptest.Server
	signer *token.Signer
	sfu    *sfu.SFU
	sig    *signaling.Server
}

// newServer starts a server for tests whose clients, like peer.Client,
// never ping: its idle timeout outlasts any test, even on a loaded
// machine. (With 3 s, a teacher who published and then only listened was
// closed as idle about 3 s in, taking its tracks with it, and
// TestLiveLessonOverWebSocket, which needs about 3 s under -race, failed
// with "unknown track" or a room gone.) Tests of idleness use
// newServerIdle.
func newServer(t testing.TB) *testServer {
	t.Helper()
	return newServerIdle(t, 10*time.Minute)
}

func newServerIdle(t testing.TB, idle time.Duration) *testServer {
	t.Helper()
	return newServerWith(t, func(c *signaling.Config) {
		c.IdleTimeout = idle
		c.Limits = signaling.Limits{PerAddress: -1} // every test client is 127.0.0.1
	})
}

// newServerWith starts a server whose configuration edit changes.
func newServerWith(t testing.TB, edit func(*signaling.Config)) *testServer {
	t.Helper()
	log, s := peer.TestLog(), peer.SFU(t)
	signer, err := token.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := signaling.Config{SFU: s, Signer: signer, Logger: log}
	edit(&cfg)
	sig := signaling.New(cfg)
	mux := http.NewServeMux()
	sig.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sig.Shutdown(ctx)
		ts.Close()
	})
	return &testServer{Server: ts, signer: signer, sfu: s, sig: sig}
}

func (ts *testServer) wsURL() string { return "ws" + strings.TrimPrefix(ts.URL, "http") + "/rtc" }

func (ts *testServer) token(t testing.TB, lesson, user string, role token.Role) string {
	t.Helper()
	tok, err := ts.signer.Issue(token.Claims{Lesson: lesson, User: user, Name: strings.ToUpper(user), Role: role,
		Permissions: token.DefaultPermissions(role)}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func newPublisher(t *testing.T) *peer.Publisher {
	t.Helper()
	p, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func join(t *testing.T, ts *testServer, lesson, user string, role token.Role, sub *peer.Subscriber) *peer.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := peer.Join(ctx, ts.wsURL(), ts.token(t, lesson, user, role), sub)
	if err != nil {
		t.Fatalf("join %s: %v", user, err)
	}
	t.Cleanup(c.Close)
	return c
}
