package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/token"
)

// chromiumPath is Debian's Chromium; the tests never download a browser.
func chromiumPath() string {
	if p := os.Getenv("LECTERN_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// requireBrowser skips (or fails under LECTERN_REQUIRE_ALL=1) when node,
// Chromium or e2e/node_modules is missing.
func requireBrowser(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	_, err := exec.LookPath("node")
	testenv.Require(t, "node", err)
	_, err = os.Stat(chromiumPath())
	testenv.Require(t, "chromium ("+chromiumPath()+")", err)
	_, err = os.Stat(filepath.Join("node_modules", "playwright-core", "package.json"))
	if err != nil {
		err = fmt.Errorf("%w (run `npm ci --prefix e2e`)", err)
	}
	testenv.Require(t, "e2e/node_modules/playwright-core", err)
}

// server is a running Lectern: in-process, or external when
// LECTERN_E2E_BASE_URL is set.
type server struct {
	URL    string // http://127.0.0.1:port, no trailing slash
	signer *token.Signer
	app    *app.App // nil for an external server
}

func startServer(t *testing.T) *server {
	t.Helper()
	if base := os.Getenv("LECTERN_E2E_BASE_URL"); base != "" {
		signer, err := token.NewSigner([]byte(os.Getenv("LECTERN_E2E_SECRET")))
		if err != nil {
			t.Fatalf("LECTERN_E2E_SECRET: %v", err)
		}
		return &server{URL: strings.TrimSuffix(base, "/"), signer: signer}
	}
	return startInProcess(t)
}

// requireInProcess skips (or fails under LECTERN_REQUIRE_ALL=1) a test
// that reaches into the server (for what, named by why) when srv is an
// external one (LECTERN_E2E_BASE_URL).
func requireInProcess(t *testing.T, srv *server, why string) {
	t.Helper()
	if srv.app == nil {
		testenv.Require(t, "the in-process server ("+why+")", errors.New("LECTERN_E2E_BASE_URL names an external server"))
	}
}

// token issues a join token for lesson with the role's default permissions.
func (s *server) token(t *testing.T, lesson, user, name string, role token.Role) string {
	t.Helper()
	tok, err := s.signer.Issue(token.Claims{
		Lesson: lesson, User: user, Name: name, Role: role,
		Permissions: token.DefaultPermissions(role), Operator: true,
	}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// lessonURL is the page a participant opens.
func (s *server) lessonURL(lesson, tok string) string {
	return s.URL + "/lesson/" + url.PathEscape(lesson) + "?token=" + url.QueryEscape(tok)
}

// uniqueLesson names a lesson after the test, so tests never share a room.
func uniqueLesson(t *testing.T) string {
	r := strings.NewReplacer("/", "-", " ", "-")
	return strings.ToLower(r.Replace(t.Name())) + fmt.Sprintf("-%d", time.Now().UnixNano()%1e6)
}

// script is a running `node scripts/<name>.mjs`.
type script struct {
	t      *testing.T
	srv    *server // set by startTeacherScript
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan map[string]any // every JSON line on stdout
	stderr *strings.Builder
	mu     sync.Mutex // guards stderr
	done   chan struct{}
	err    error // set before done is closed
}

// startScript runs a browser script, bounded by timeout. Its stdout JSON
// lines arrive on lines; stdin stays open until closeStdin.
func startScript(t *testing.T, timeout time.Duration, name string, args ...string) *script {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join("scripts", name+".mjs")}, args...)...)
	cmd.Env = append(os.Environ(), "LECTERN_CHROMIUM="+chromiumPath())
	if dir := os.Getenv("LECTERN_E2E_SCREENSHOTS"); dir != "" {
		cmd.Env = append(cmd.Env, "LECTERN_E2E_SCREENSHOTS="+dir)
	}
	configureProcess(cmd)
	s := &script{t: t, cmd: cmd, lines: make(chan map[string]any, 16), stderr: &strings.Builder{}, done: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", name, err)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				t.Logf("%s: %s", name, sc.Text())
				continue
			}
			s.lines <- m
		}
	}()
	go func() {
		defer readers.Done()
		b, _ := io.ReadAll(stderr)
		s.mu.Lock()
		s.stderr.Write(b)
		s.mu.Unlock()
	}()
	go func() {
		readers.Wait()
		s.err = cmd.Wait()
		killGroup(cmd)
		cancel()
		close(s.lines)
		close(s.done)
	}()
	t.Cleanup(func() {
		s.closeStdin()
		// Nobody reads lines any more: drain them, so that a reader
		// blocked on a full channel still reaches the end of the output.
		go func() {
			for range s.lines {
			}
		}()
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			cancel()
			select {
			case <-s.done:
			case <-time.After(15 * time.Second): // WaitDelay is 10 s
				killGroup(cmd)
				t.Errorf("script %s still running 35 s after the test ended", name)
			}
		}
	})
	return s
}

func (s *script) closeStdin() { s.stdin.Close() }

// send writes one line to the script's stdin (an answer to an event).
func (s *script) send(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
		s.t.Fatalf("write to script: %v", err)
	}
}

// waitEventLine is waitEvent returning the event's line.
func (s *script) waitEventLine(name string, timeout time.Duration) map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := s.next(time.Until(deadline))
		if m["event"] == name {
			return m
		}
		if m["ok"] == false {
			s.t.Fatalf("browser script failed: %v\n%s", m["error"], s.stderrText())
		}
	}
}

// next returns the next JSON line, failing the test after timeout.
func (s *script) next(timeout time.Duration) map[string]any {
	s.t.Helper()
	select {
	case m, ok := <-s.lines:
		if !ok {
			s.t.Fatalf("script ended without output: %v\n%s", s.err, s.stderrText())
		}
		return m
	case <-time.After(timeout):
		s.t.Fatalf("no output from script within %v\n%s", timeout, s.stderrText())
	}
	return nil
}

// result waits for the final line ({"ok":...}) and fails the test unless ok.
func (s *script) result(timeout time.Duration) map[string]any {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := s.next(time.Until(deadline))
		if _, final := m["ok"]; !final {
			continue
		}
		if m["ok"] != true {
			s.t.Fatalf("browser script failed: %v\n%s", m["error"], s.stderrText())
		}
		if errs, _ := m["errors"].([]any); len(errs) > 0 {
			s.t.Logf("page console errors: %v", errs)
		}
		return m
	}
}

// waitEvent skips lines until one with "event": name.
func (s *script) waitEvent(name string, timeout time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := s.next(time.Until(deadline))
		if m["event"] == name {
			return
		}
		if m["ok"] == false {
			s.t.Fatalf("browser script failed: %v\n%s", m["error"], s.stderrText())
		}
	}
}

func (s *script) stderrText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.stderr.String()
	if len(out) > 4000 {
		out = "…" + out[len(out)-4000:]
	}
	return out
}

// runScript runs a script to its end and returns its final result.
func runScript(t *testing.T, timeout time.Duration, name string, args ...string) map[string]any {
	t.Helper()
	s := startScript(t, timeout, name, args...)
	s.closeStdin()
	return s.result(timeout)
}
