package live

import (
	"errors"
	"fmt"
	"testing"
)

func asError(err error, e **Error) bool { return errors.As(err, e) }

func TestErrorIsAndCodeOf(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", errf(CodeForbidden, "no"))
	if !errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotFound) {
		t.Fatal("errors.Is by code failed")
	}
	if CodeOf(err) != CodeForbidden || CodeOf(nil) != "" || CodeOf(errors.New("x")) != CodeInternal {
		t.Fatal("CodeOf")
	}
	if got := errf(CodeInvalid, "bad %d", 1).Error(); got != "live: invalid: bad 1" {
		t.Fatalf("Error() = %q", got)
	}
	if got := ErrLocked.Error(); got != "live: locked" {
		t.Fatalf("Error() = %q", got)
	}
	if m := internal(errors.New("secret dsn")).Message; m != "storage failed" {
		t.Fatalf("internal leaks detail: %q", m)
	}
}
