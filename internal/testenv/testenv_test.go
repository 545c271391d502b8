package testenv

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

func TestRequireNil(t *testing.T) {
	Require(t, "nothing", nil) // must neither skip nor fail
}

func TestRequireSkipsOrFails(t *testing.T) {
	t.Setenv(RequireAllEnv, "")
	ok := t.Run("skips", func(t *testing.T) {
		Require(t, "a thing", errors.New("missing"))
		t.Error("Require returned for a missing dependency")
	})
	if !ok {
		t.Fatal("subtest should have been skipped, not failed")
	}
}

// TestNetNS: where NetNS says network namespaces work, a child started
// with NetNSAttr sees a network of its own: only a loopback interface.
func TestNetNS(t *testing.T) {
	Require(t, "a network namespace (root, ip)", NetNS())
	cmd := exec.Command("ip", "-o", "link", "show")
	cmd.SysProcAttr = NetNSAttr()
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 1 || !strings.Contains(lines[0], ": lo:") {
		t.Fatalf("the child's namespace has other links than lo:\n%s", out)
	}
}
