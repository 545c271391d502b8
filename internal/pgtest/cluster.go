package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoPostgres means no PostgreSQL binaries were found.
var ErrNoPostgres = errors.New("pgtest: PostgreSQL (initdb, pg_ctl) not found; install postgresql or set PGTEST_BIN")

const dirPrefix = "lectern-pg-"

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	dir  string // temporary directory: data/, log, socket, owner.pid
	bin  string // directory holding initdb and pg_ctl
	port int
	cred *syscall.Credential // nil when not root
}

// findBin returns the directory with initdb and pg_ctl.
func findBin() (string, error) {
	if d := os.Getenv("PGTEST_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("%w: PGTEST_BIN=%s: %v", ErrNoPostgres, d, err)
		}
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNoPostgres
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// credential returns who the server must run as: nil unless root.
func credential() (*syscall.Credential, int, int, error) {
	if os.Geteuid() != 0 {
		return nil, -1, -1, nil
	}
	name := os.Getenv("PGTEST_USER")
	if name == "" {
		name = "postgres"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("pgtest: running as root and no %q user to run PostgreSQL as: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, uid, gid, nil
}

// Start makes and starts a new cluster.
func Start(ctx context.Context) (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	cred, uid, gid, err := credential()
	if err != nil {
		return nil, err
	}
	reapStale()
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin, cred: cred}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if out, err := c.run(ctx, "initdb", "-D", c.data(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	// A free port can be taken between our probe and the server's bind;
	// try a few.
	for attempt := 0; attempt < 3; attempt++ {
		if c.port, err = freePort(); err != nil {
			break
		}
		if err = c.start(ctx); err == nil {
			return c, nil
		}
	}
	os.RemoveAll(dir)
	return nil, err
}

// start starts the server of an initialised cluster on c.port.
func (c *Cluster) start(ctx context.Context) error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off "+
		"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "+
		"-c shared_buffers=32MB", c.port, c.dir)
	out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"),
		"-w", "-t", "60", "-o", opts, "start")
	if err != nil {
		return fmt.Errorf("pgtest: pg_ctl start: %w\n%s\n%s", err, out, c.logTail())
	}
	return nil
}

// Halt stops the server (fast shutdown: every connection is cut, open
// transactions are rolled back, committed ones are kept, which an
// immediate stop would not guarantee with this cluster's
// synchronous_commit=off) and keeps its data directory and port, for
// Resume. Only a test that owns the cluster (Own or Start, not Shared)
// may halt it.
func (c *Cluster) Halt(ctx context.Context) error {
	out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop")
	if err != nil {
		return fmt.Errorf("pgtest: pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// Resume starts a halted server again on the same port and data
// directory; it returns once the server accepts connections.
func (c *Cluster) Resume(ctx context.Context) error { return c.start(ctx) }

// Restart halts the server, waits down, and starts it again on the same
// port and data directory: a PostgreSQL restart as clients see it.
func (c *Cluster) Restart(ctx context.Context, down time.Duration) error {
	if err := c.Halt(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-time.After(down):
	}
	return c.Resume(context.WithoutCancel(ctx))
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// run runs a PostgreSQL program as the cluster's user.
func (c *Cluster) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	return runAs(ctx, c.cred, c.dir, filepath.Join(c.bin, prog), args...)
}

func runAs(ctx context.Context, cred *syscall.Credential, dir, prog string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "TZ=UTC"}
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	return cmd.CombinedOutput()
}

// URL returns a connection URL for database name.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// CreateDatabase creates an empty database.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	return c.admin(ctx, `CREATE DATABASE "`+name+`"`)
}

// DropDatabase drops a database, disconnecting anyone still using it.
func (c *Cluster) DropDatabase(ctx context.Context, name string) error {
	return c.admin(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
}

func (c *Cluster) admin(ctx context.Context, stmt string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, stmt)
	return err
}

// Stop stops the server and removes its directory.
func (c *Cluster) Stop() error {
	out, err := c.run(context.Background(), "pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	if err != nil {
		err = fmt.Errorf("pgtest: pg_ctl stop: %w\n%s", err, out)
	}
	if rerr := os.RemoveAll(c.dir); err == nil {
		err = rerr
	}
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// reapStale stops and removes clusters whose owning test binary is gone.
func reapStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // owner alive (or unknown): not ours to touch
		}
		bin, err := findBin()
		if err != nil {
			return
		}
		cred, _, _, _ := credential()
		runAs(context.Background(), cred, d, filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(d, "data"), "-m", "immediate", "-w", "stop")
		os.RemoveAll(d)
	}
}
