// Package testenv lets tests depend on things the machine may lack (a
// PostgreSQL install, ffmpeg, a browser) without hiding the gap in CI.
//
// Locally a missing dependency skips the test with a message saying what is
// missing. When LECTERN_REQUIRE_ALL=1 (CI sets it) the same gap fails the
// test instead, so nothing passes by being skipped.
//
// It imports nothing from Lectern and is only for tests.
package testenv

import (
	"os"
	"testing"
)

// RequireAllEnv is the environment variable that turns skips into failures.
const RequireAllEnv = "LECTERN_REQUIRE_ALL"

// RequireAll reports whether LECTERN_REQUIRE_ALL=1.
func RequireAll() bool { return os.Getenv(RequireAllEnv) == "1" }

// Require does nothing when err is nil. Otherwise it skips t, naming what is
// missing and why, or fails t when RequireAll is set.
func Require(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if RequireAll() {
		t.Fatalf("%s is required (%s=1) but unavailable: %v", what, RequireAllEnv, err)
	}
	t.Skipf("%s unavailable, skipping (set %s=1 to fail instead): %v", what, RequireAllEnv, err)
}
