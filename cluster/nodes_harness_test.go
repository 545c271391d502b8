package cluster_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lectern/lectern/cluster"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// The harness of the multi-node tests: real `lectern serve` processes
// built once per test binary, on one throwaway PostgreSQL, each on its own
// loopback port.

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// lecternBinary builds cmd/lectern once for the whole test binary.
func lecternBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir := cluster.TestBinDir() // removed by TestMain
		if err := os.MkdirAll(dir, 0o700); err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "lectern")
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", buildBin, "github.com/lectern/lectern/cmd/lectern").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// node is one `lectern serve` process.
type node struct {
	url  string // http://127.0.0.1:port
	cmd  *exec.Cmd
	log  string // its log file
	done chan struct{}
}

func (n *node) ws() string { return "ws" + strings.TrimPrefix(n.url, "http") + "/rtc" }

// kill SIGKILLs the node and waits for it.
func (n *node) kill() {
	_ = n.cmd.Process.Kill()
	<-n.done
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startNode starts a node on dbURL with the shared secret and waits until
// it answers /readyz.
func startNode(t testing.TB, bin, dbURL, secretHex string, extra ...string) *node {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	n := &node{url: fmt.Sprintf("http://127.0.0.1:%d", port), log: filepath.Join(dir, "log"), done: make(chan struct{})}
	logf, err := os.Create(n.log)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--node-url", n.url,
		"--database-url", dbURL, "--data-dir", filepath.Join(dir, "data"), "--secret", secretHex,
		"--ice-udp", "127.0.0.1:0", "--public-url", n.url, "--publish-h264=false"}, extra...)
	n.cmd = exec.Command(bin, args...)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = n.cmd.Wait(); logf.Close(); close(n.done) }()
	t.Cleanup(func() {
		n.kill()
		if t.Failed() {
			b, _ := os.ReadFile(n.log)
			t.Logf("log of %s:\n%s", n.url, tail(string(b), 4000))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-n.done:
			b, _ := os.ReadFile(n.log)
			t.Fatalf("node %s exited at start:\n%s", n.url, tail(string(b), 4000))
		default:
		}
		if resp, err := http.Get(n.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return n
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s not ready within 60 s", n.url)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// teach joins as the teacher through the usual path (following moved)
// and publishes the test camera and microphone until they are live.
func teach(t testing.TB, ctx context.Context, nodes []*node, tok string, deadline time.Time) (*peer.Client, string) {
	t.Helper()
	c, at, err := rejoin(ctx, nodes, tok, deadline, nil)
	if err != nil {
		t.Fatal("teacher:", err)
	}
	t.Cleanup(c.Close)
	peer.Publishes(t, ctx, c, peer.NewTeacher)
	return c, at
}

// seesVideo waits until sub receives a keyframe of a video track.
func seesVideo(sub *peer.Subscriber, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	r := sub.WaitTrack(webrtc.RTPCodecTypeVideo, limit)
	return r != nil && r.WaitKeyframe(time.Until(deadline))
}

// operatorToken issues a token with the nodes' shared secret.
func operatorToken(t testing.TB, signer *token.Signer, lesson, user string, role token.Role) string {
	t.Helper()
	tok, err := signer.Issue(token.Claims{Lesson: lesson, User: user, Name: user, Role: role,
		Permissions: token.DefaultPermissions(role), Operator: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// errMoved is a join answered with "moved".
type errMoved struct{ url string }

func (e *errMoved) Error() string { return "moved to " + e.url }

// joinAt joins over the WebSocket at wsURL. A "moved" answer is returned
// as *errMoved with the owner's URL, and the client's close status.
func joinAt(ctx context.Context, wsURL, tok string, sub *peer.Subscriber) (*peer.Client, error) {
	c, err := peer.Join(ctx, wsURL, tok, sub)
	var er *peer.ErrorReply
	if errors.As(err, &er) && er.Code == signaling.CodeMoved {
		var m signaling.Moved
		_ = json.Unmarshal(er.Payload, &m)
		return nil, &errMoved{url: m.URL}
	}
	return c, err
}

// movedAt joins at a node that does not serve the lesson and returns the
// owner's URL from the "moved" error, checking the close code 4012.
func movedAt(ctx context.Context, wsURL, tok string) (string, error) {
	c, err := peer.Dial(ctx, wsURL)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_, err = c.Request(ctx, signaling.TypeJoin, signaling.JoinRequest{Token: tok})
	var er *peer.ErrorReply
	if !errors.As(err, &er) || er.Code != signaling.CodeMoved {
		return "", fmt.Errorf("join at a non-owner: %v, want moved", err)
	}
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		return "", errors.New("not closed after moved")
	}
	if st := c.CloseStatus(); st != signaling.CloseMoved {
		return "", fmt.Errorf("moved, but closed with %d", st)
	}
	var m signaling.Moved
	err = json.Unmarshal(er.Payload, &m)
	return m.URL, err
}

// staleHops counts "moved" answers whose target then failed (a stale
// redirect: the lease still named a dead owner).
var staleHops atomic.Int64

// rejoin is a client's usual path to a lesson, as the web client does it:
// ask a node (the one its page came from, here any node still listed),
// follow a "moved" answer, and on any failure ask again after a short
// pause, until deadline. It returns the client and the URL it joined at;
// sub (may be nil) receives the media.
func rejoin(ctx context.Context, nodes []*node, tok string, deadline time.Time, sub *peer.Subscriber) (*peer.Client, string, error) {
	var last error
	for i := 0; time.Now().Before(deadline) && i < 400; i++ {
		start := nodes[i%len(nodes)].ws()
		c, err := joinAt(ctx, start, tok, sub)
		var m *errMoved
		if errors.As(err, &m) && m.url != "" {
			start = m.url
			c, err = joinAt(ctx, start, tok, sub)
			if err != nil {
				staleHops.Add(1) // the owner named is gone: ask again
			}
		}
		if err == nil {
			return c, start, nil
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	return nil, "", fmt.Errorf("no join before the deadline: %v", last)
}

// three is three nodes on one throwaway PostgreSQL with a fresh shared
// secret.
type three struct {
	nodes           []*node
	bin, dbURL, hex string // for starting more nodes
	signer          *token.Signer
}

// startThree starts three nodes (the first migrates) on a fresh database
// of the shared PostgreSQL, each with extra flags.
func startThree(t testing.TB, extra ...string) *three {
	t.Helper()
	return startThreeOn(t, pgtest.URL(t), extra...)
}

// startThreeOn starts three nodes on dbURL, each with extra flags.
func startThreeOn(t testing.TB, dbURL string, extra ...string) *three {
	t.Helper()
	c := &three{bin: lecternBinary(t), dbURL: dbURL}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	c.hex = hex.EncodeToString(raw[:])
	signer, err := token.NewSigner(raw[:])
	if err != nil {
		t.Fatal(err)
	}
	c.signer = signer
	for range 3 {
		c.nodes = append(c.nodes, startNode(t, c.bin, c.dbURL, c.hex, extra...))
	}
	return c
}

// byURL returns the node whose base or WebSocket URL is u.
func (c *three) byURL(t testing.TB, u string) *node {
	t.Helper()
	for _, n := range c.nodes {
		if n.url == u || n.ws() == u {
			return n
		}
	}
	t.Fatalf("no node at %q", u)
	return nil
}

// split returns the node whose base or WebSocket URL is u (nil if none)
// and the other nodes.
func (c *three) split(u string) (own *node, others []*node) {
	for _, n := range c.nodes {
		if n.url == u || n.ws() == u {
			own = n
		} else {
			others = append(others, n)
		}
	}
	return own, others
}

// openStore opens the nodes' store and a plain connection to their
// database, both closed at the test's end.
func openStore(t *testing.T, ctx context.Context, dbURL string) (*store.Store, *pgx.Conn) {
	t.Helper()
	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir(), DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	return st, db
}
