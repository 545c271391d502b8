// Package pgtest runs a throwaway PostgreSQL cluster for tests, made with
// the machine's own initdb and pg_ctl.
//
// One cluster serves a whole test binary: it starts on first use (URL),
// listens only on 127.0.0.1 on a free port with its Unix socket in its
// temporary directory, runs with fsync=off, and is stopped and removed by
// Run, which TestMain calls:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
//
// Each URL(t) is a fresh, empty database dropped when t ends.
//
// A test that stops or restarts PostgreSQL (Cluster.Halt, Resume,
// Restart: same port, same data) takes a cluster of its own with Own(t),
// stopped and removed when it ends, so the shared one is not disturbed.
//
// PostgreSQL refuses to run as root, so when the tests run as root the
// cluster runs as the "postgres" system user (PGTEST_USER overrides) in a
// directory chowned to it. Binaries are found through PGTEST_BIN, then
// /usr/lib/postgresql/*/bin, then PATH. Without them, URL skips the test
// through testenv.Require, which fails it when LECTERN_REQUIRE_ALL=1.
//
// Clusters left behind by a killed test binary are found by their owner
// PID file and removed the next time a cluster starts.
package pgtest
