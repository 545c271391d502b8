package app_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/testenv"
)

// Some tests run a part of themselves in another process (this test
// binary again, told its role by childRoleEnv): a client in a network
// namespace of its own, or one that trusts a certificate authority of the
// test's through SSL_CERT_FILE, which a process reads only once.
const (
	childRoleEnv = "LECTERN_TEST_ROLE"
	childReady   = "child: ready" // a child prints this line when the parent may go on
)

// child is this test binary running one role of the current test.
type child struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	ready  chan struct{} // closed at the first line saying childReady
	done   chan struct{} // closed when the output is read to its end
	out    bytes.Buffer  // written until done
}

// startChild runs the current test (t's top-level test) again as role,
// with env added, killed after timeout; with netns, in a new network
// namespace (testenv.NetNS must allow it).
func startChild(t *testing.T, role string, timeout time.Duration, env map[string]string, netns bool) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	name, _, _ := strings.Cut(t.Name(), "/")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	cmd := exec.CommandContext(ctx, exe, "-test.run", "^"+name+"$", "-test.v", "-test.count=1",
		"-test.timeout", (timeout - 5*time.Second).String())
	if netns {
		cmd.SysProcAttr = testenv.NetNSAttr()
	}
	cmd.Env = append(os.Environ(), childRoleEnv+"="+role)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	pr, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &child{cmd: cmd, cancel: cancel, ready: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(pr)
		for seen := false; sc.Scan(); {
			c.out.Write(sc.Bytes())
			c.out.WriteByte('\n')
			if !seen && strings.Contains(sc.Text(), childReady) {
				seen = true
				close(c.ready)
			}
		}
	}()
	return c
}

// wait waits for the child to end and returns its output.
func (c *child) wait() ([]byte, error) {
	defer c.cancel()
	<-c.done
	err := c.cmd.Wait()
	return c.out.Bytes(), err
}

// check calls then (if set) once the child is ready, waits for the child
// to end, logs its output as what, and fails t if the child failed.
func (c *child) check(t *testing.T, what string, then func()) {
	t.Helper()
	if then != nil {
		select {
		case <-c.ready:
			then()
		case <-c.done:
		}
	}
	out, err := c.wait()
	t.Logf("%s:\n%s", what, out)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
