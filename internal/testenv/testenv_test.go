package testenv

import (
	"errors"
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
