package cascade

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// TestRelayRunWaitsForItsWatcher: run's watcher of the media connection
// (the goroutine that ends the read once the media has ended) has ended
// when run returns, so the relay's Close, which waits for run, waits for
// it too. The origin closes the relay at once (StatusNotOrigin), the
// media not ended: run returns while its watcher still waits.
//
// With one P, a goroutine that cancel made runnable does not run before
// the goroutine that cancelled blocks: a watcher run did not wait for is
// still there when run returns.
func TestRelayRunWaitsForItsWatcher(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		_ = c.Close(StatusNotOrigin, "lease lost")
	}))
	defer srv.Close()
	for i := range 5 {
		conn, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			t.Fatal(err)
		}
		r := &Relay{conn: conn, log: slog.New(slog.DiscardHandler)}
		ended := make(chan struct{}) // the media runs on

		prev := runtime.GOMAXPROCS(1)
		err = r.run(context.Background(), ended)
		left := goroutinesIn("cascade.(*Relay).run.func")
		runtime.GOMAXPROCS(prev)
		_ = conn.CloseNow()

		if !errors.Is(err, ErrNotOrigin) {
			t.Fatalf("run %d: %v, want ErrNotOrigin", i, err)
		}
		if left != 0 {
			t.Fatalf("run %d returned with %d of its goroutines still there", i, left)
		}
	}
}

// goroutinesIn counts the goroutines whose stack holds fn.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}
