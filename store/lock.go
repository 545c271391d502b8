package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// LockFile is the lock's name inside the data directory.
const LockFile = "lectern.lock"

// LockDataDir takes an exclusive flock(2) on <dir>/lectern.lock, creating
// dir if needed, and writes the holder's PID into it. If another process
// (or another LockDataDir in this one) holds it, the error wraps ErrLocked
// and names the directory and, when known, the holder's PID. The lock goes
// away with the process, so a killed server never leaves it stale. release
// is idempotent.
func LockDataDir(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := ""
		if b, rerr := os.ReadFile(path); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = fmt.Sprintf(" (pid %d)", pid)
			}
		}
		f.Close()
		if err == syscall.EWOULDBLOCK {
			abs, _ := filepath.Abs(dir)
			return nil, fmt.Errorf("%w: %s is locked%s; stop the other server or use another --data-dir", ErrLocked, abs, holder)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			f.Truncate(0)
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
		})
	}, nil
}
