package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/token"
)

const (
	crashServerEnv = "LECTERN_APP_CRASH_SERVER"
	crashDBEnv     = "LECTERN_APP_CRASH_DB"
	crashPayEnv    = "LECTERN_APP_CRASH_PAY" // set: the child takes test payments, as newSite does
)

// crashServer runs a whole server in a child process on dir (and the
// database URL, if any) and prints its URL, until it is killed.
func crashServer(dir string) {
	cfg := app.Config{DataDir: dir, DatabaseURL: os.Getenv(crashDBEnv), Secret: secret,
		Loopback: true, ICEUDPAddr: "127.0.0.1:0"}
	if os.Getenv(crashPayEnv) != "" {
		cfg.PaymentProvider, cfg.BaseURL = "dev", "http://lectern.test"
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("http://" + ln.Addr().String())
	_ = http.Serve(ln, a.Handler())
	os.Exit(3)
}

// TestKilledServerKeepsAcknowledged: students chat and the teacher creates
// polls against a server in a child process, which is SIGKILLed while
// messages are in flight. After a restart on the same store every message
// and poll the server acknowledged is there exactly once. Both backends.
func TestKilledServerKeepsAcknowledged(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dir, dbURL := t.TempDir(), ""
			if backend == "postgres" {
				dbURL = pgtest.URL(t)
			}
			url, kill := childServer(t, dir, dbURL)
			wsURL := "ws" + strings.TrimPrefix(url, "http") + "/rtc"
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			join := func(user string, role token.Role) *peer.Client {
				tok, _ := (mustSigner(t)).Issue(token.Claims{Lesson: "crash", User: user, Name: user, Role: role,
					Permissions: token.DefaultPermissions(role), Operator: true}, time.Hour)
				c, err := peer.Join(ctx, wsURL, tok, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(c.Close)
				return c
			}
			teacher := join("teacher", token.RoleTeacher)
			students := make([]*peer.Client, 12)
			for i := range students {
				students[i] = join(fmt.Sprintf("s%d", i), token.RoleStudent)
			}

			var mu sync.Mutex
			var acked []string
			ack := func(text string) {
				mu.Lock()
				acked = append(acked, text)
				mu.Unlock()
			}
			count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
			var wg sync.WaitGroup
			for i, s := range students {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range 5 { // the chat rate limit's burst
						text := fmt.Sprintf("crash-chat-%d-%d", i, k)
						if _, err := s.Request(ctx, "chat.send", map[string]string{"text": text}); err != nil {
							return
						}
						ack(text)
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range 50 {
					q := fmt.Sprintf("crash-poll-%d?", k)
					if _, err := teacher.Request(ctx, "poll.create", map[string]any{"question": q, "kind": "yesno"}); err != nil {
						return
					}
					ack(q)
				}
			}()
			// Kill mid-stream: once a few dozen are acknowledged, with more in flight.
			for deadline := time.Now().Add(30 * time.Second); count() < 30 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			kill()
			wg.Wait()
			mu.Lock()
			got := append([]string(nil), acked...)
			mu.Unlock()
			if len(got) < 30 {
				t.Fatalf("only %d acknowledged before the kill", len(got))
			}

			a, srv := start(t, dir, dbURL)
			defer func() { srv.Close(); _ = a.Close() }()
			again := joinLesson(t, a, srv, "crash", "teacher", token.RoleTeacher, nil)
			snap, _ := json.Marshal(again.Joined.Classroom)
			for _, text := range got {
				if n := strings.Count(string(snap), `"`+text+`"`); n != 1 {
					t.Errorf("acknowledged %q appears %d times after the restart", text, n)
				}
			}
			t.Logf("%s: %d acknowledged before SIGKILL, all present once after restart", backend, len(got))
		})
	}
}

// childServer starts crashServer in a child process on dir (and dbURL)
// and returns its URL and a function that SIGKILLs it and waits; the
// child is killed at the end of the test in any case.
func childServer(t *testing.T, dir, dbURL string, env ...string) (string, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), crashServerEnv+"="+dir, crashDBEnv+"="+dbURL), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(kill)
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatal("the child server printed no URL")
	}
	return sc.Text(), kill
}

func mustSigner(t *testing.T) *token.Signer {
	t.Helper()
	s, err := token.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
