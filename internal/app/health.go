package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// MinFreeDisk is the free space the data directory needs for /readyz to
// pass: below it, recordings and the database may fail to write.
const MinFreeDisk = 256 << 20

// wireHealth mounts /healthz (the process answers) and /readyz (the
// database answers, the data directory is writable and has room).
func (a *App) wireHealth() {
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	a.mux.HandleFunc("GET /readyz", a.serveReady)
}

type check struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

func (a *App) serveReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := []check{
		result("database", a.store.Ping(ctx)),
		result("data_dir_writable", writable(a.cfg.DataDir)),
		result("disk_space", freeSpace(a.cfg.DataDir, MinFreeDisk)),
	}
	status, code := "ready", http.StatusOK
	for _, c := range checks {
		if !c.OK {
			status, code = "not_ready", http.StatusServiceUnavailable
			a.log.Warn("not ready", "check", c.Name, "err", c.Error)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "checks": checks})
}

func result(name string, err error) check {
	if err != nil {
		return check{Name: name, Error: err.Error()}
	}
	return check{Name: name, OK: true}
}

// writable creates, syncs and removes a file in dir.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".readyz-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, err = f.Write([]byte("ok"))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}

// freeSpace fails when the file system of dir has less than min bytes
// free for unprivileged users.
func freeSpace(dir string, min uint64) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Clean(dir), &st); err != nil {
		return err
	}
	if free := st.Bavail * uint64(st.Bsize); free < min {
		return fmt.Errorf("%d MiB free, %d MiB needed", free>>20, min>>20)
	}
	return nil
}
