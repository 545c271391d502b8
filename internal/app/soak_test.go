package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

// soakEnv reads a soak parameter from the environment.
func soakEnv[T any](t *testing.T, name string, def T, parse func(string) (T, error)) T {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return x
}

// soakClient is a WebSocket participant that counts chat messages and
// keeps nothing else, so that the process's memory is the server's.
type soakClient struct {
	conn     *websocket.Conn
	received atomic.Int64
	acked    atomic.Int64
	refused  atomic.Int64
	ackWait  sync.Map // id → chan bool (buffered), true when acknowledged
	done     chan struct{}
	err      atomic.Value
}

func dialSoak(ctx context.Context, url, tok string) (*soakClient, error) {
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	c := &soakClient{conn: conn, done: make(chan struct{})}
	joined := make(chan bool, 1)
	c.ackWait.Store("join", joined)
	go c.read()
	go c.keepAlive()
	if err := c.send(ctx, "join", "join", map[string]string{"token": tok}); err != nil {
		return nil, err
	}
	select {
	case ok := <-joined:
		if !ok {
			return nil, fmt.Errorf("join refused")
		}
		return c, nil
	case <-c.done:
		return nil, fmt.Errorf("closed before joined: %v", c.err.Load())
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *soakClient) send(ctx context.Context, typ, id string, payload any) error {
	p, _ := json.Marshal(payload)
	b, _ := json.Marshal(map[string]any{"v": 1, "type": typ, "id": id, "payload": json.RawMessage(p)})
	return c.conn.Write(ctx, websocket.MessageText, b)
}

// keepAlive pings every 15 s, as the web client does, so that a
// participant who only listens is not closed as idle.
func (c *soakClient) keepAlive() {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			_ = c.send(context.Background(), "ping", "", struct{}{})
		}
	}
}

// chatPrefix starts every chat.message frame (signaling.Envelope's field
// order).
var chatPrefix = []byte(`{"v":1,"type":"chat.message",`)

func (c *soakClient) read() {
	defer close(c.done)
	for {
		_, b, err := c.conn.Read(context.Background())
		if err != nil {
			c.err.Store(err.Error())
			return
		}
		// Chat messages, nearly every frame, are counted without being
		// parsed: the clients share the server's process and its CPU.
		if bytes.HasPrefix(b, chatPrefix) {
			c.received.Add(1)
			continue
		}
		var env struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		if json.Unmarshal(b, &env) != nil {
			continue
		}
		switch {
		case env.Type == "chat.message":
			c.received.Add(1)
		case env.ID != "" && (env.Type == "ok" || env.Type == "joined"):
			if ch, ok := c.ackWait.LoadAndDelete(env.ID); ok {
				ch.(chan bool) <- true
			}
		case env.Type == "error":
			c.refused.Add(1)
			if ch, ok := c.ackWait.LoadAndDelete(env.ID); ok {
				ch.(chan bool) <- false
			}
		}
	}
}

// chat sends one message and waits for its acknowledgement.
func (c *soakClient) chat(ctx context.Context, id, text string, times *ackTimes) bool {
	sent := time.Now()
	ack := make(chan bool, 1)
	c.ackWait.Store(id, ack)
	if c.send(ctx, "chat.send", id, map[string]string{"text": text}) != nil {
		return false
	}
	select {
	case ok := <-ack:
		if ok {
			c.acked.Add(1)
			times.add(time.Since(sent))
		}
		return ok
	case <-ctx.Done():
	case <-c.done:
	}
	return false
}

// ackTimes collects how long acknowledgements took.
type ackTimes struct {
	mu sync.Mutex // guards d
	d  []time.Duration
}

func (a *ackTimes) add(d time.Duration) {
	a.mu.Lock()
	a.d = append(a.d, d)
	a.mu.Unlock()
}

// quantile returns the q-quantile (0..1) of what was collected.
func (a *ackTimes) quantile(q float64) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.d) == 0 {
		return 0
	}
	slices.Sort(a.d)
	return a.d[min(len(a.d)-1, int(q*float64(len(a.d))))]
}

type memSample struct {
	heap       uint64
	goroutines int
}

func sampleMem() memSample {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memSample{heap: m.HeapAlloc, goroutines: runtime.NumGoroutine()}
}

// TestChatSoak: N WebSocket participants chat for a while against a whole
// server on SQLite; every acknowledged message reaches every participant,
// nobody is disconnected, and memory and goroutines come back to where
// they were after the joins. Short by default (CI); the full soak:
//
//	LECTERN_SOAK_PARTICIPANTS=500 LECTERN_SOAK_DURATION=5m LECTERN_SOAK_INTERVAL=10s \
//	  go test ./internal/app -run '^TestChatSoak$' -v -timeout 20m
func TestChatSoak(t *testing.T) {
	n := soakEnv(t, "LECTERN_SOAK_PARTICIPANTS", 25, strconv.Atoi)
	dur := soakEnv(t, "LECTERN_SOAK_DURATION", 6*time.Second, time.ParseDuration)
	every := soakEnv(t, "LECTERN_SOAK_INTERVAL", 2500*time.Millisecond, time.ParseDuration)
	// Every participant comes from 127.0.0.1: the per-address session
	// cap (a school behind one NAT) is lifted for the soak. Warnings (a
	// client cut as too slow) go to the test's output.
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Secret: secret, Loopback: true, ICEUDPAddr: "127.0.0.1:0",
		Logger:        slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		SessionLimits: signaling.Limits{PerAddress: -1}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer func() { srv.Close(); _ = a.Close() }()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/rtc"

	ctx, cancel := context.WithTimeout(context.Background(), dur+5*time.Minute)
	defer cancel()
	begun := time.Now()
	clients := make([]*soakClient, n)
	for i := range clients {
		role := token.RoleStudent
		if i == 0 {
			role = token.RoleTeacher
		}
		tok, err := a.Signer().Issue(token.Claims{Lesson: "soak", User: fmt.Sprintf("u%d", i), Name: fmt.Sprintf("P%d", i), Role: role,
			Permissions: token.DefaultPermissions(role), Operator: true}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if clients[i], err = dialSoak(ctx, url, tok); err != nil {
			t.Fatalf("participant %d: %v", i, err)
		}
	}
	defer func() {
		for _, c := range clients {
			_ = c.conn.Close(websocket.StatusNormalClosure, "")
		}
	}()
	joinedAt := time.Now()
	times := &ackTimes{d: make([]time.Duration, 0, n*int(dur/every+2))}
	begin := sampleMem()
	peak := begin
	var wg sync.WaitGroup
	stop := time.Now().Add(dur)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Stagger the senders over one interval.
			time.Sleep(time.Duration(i) * every / time.Duration(n))
			for k := 0; time.Now().Before(stop) && k < 100_000; k++ {
				c.chat(ctx, strconv.Itoa(k), fmt.Sprintf("message %d from %d", k, i), times)
				time.Sleep(every)
			}
		}()
	}
	samples := time.NewTicker(time.Second)
	for time.Now().Before(stop) {
		<-samples.C
		if s := sampleMem(); s.heap > peak.heap || s.goroutines > peak.goroutines {
			peak.heap, peak.goroutines = max(peak.heap, s.heap), max(peak.goroutines, s.goroutines)
		}
	}
	samples.Stop()
	wg.Wait()
	var acked, refused int64
	for _, c := range clients {
		acked += c.acked.Load()
		refused += c.refused.Load()
	}
	sentAt := time.Now()
	// Delivery drains within a bounded time.
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range clients {
		for c.received.Load() < acked && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	end := sampleMem()
	if path := os.Getenv("LECTERN_SOAK_HEAPPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			_ = f.Close()
		}
	}
	t.Logf("%d participants, %v, one message each per %v: %d messages acknowledged, %d refused; joins took %v, delivery drained %v after the last send",
		n, dur, every, acked, refused, joinedAt.Sub(begun).Round(time.Millisecond), time.Since(sentAt).Round(time.Millisecond))
	t.Logf("acknowledgement of chat.send: p50 %v, p99 %v, max %v",
		times.quantile(0.5).Round(time.Millisecond), times.quantile(0.99).Round(time.Millisecond), times.quantile(1).Round(time.Millisecond))
	t.Logf("heap after GC: start %.1f MiB, end %.1f MiB, max %.1f MiB; goroutines: start %d, end %d, max %d",
		float64(begin.heap)/(1<<20), float64(end.heap)/(1<<20), float64(peak.heap)/(1<<20), begin.goroutines, end.goroutines, peak.goroutines)
	if refused > 0 {
		t.Errorf("%d messages refused (the interval must respect the chat rate limit)", refused)
	}
	if acked < int64(n) {
		t.Fatalf("only %d messages acknowledged from %d participants", acked, n)
	}
	for i, c := range clients {
		select {
		case <-c.done:
			t.Fatalf("participant %d was disconnected: %v", i, c.err.Load())
		default:
		}
		if got := c.received.Load(); got != acked {
			t.Errorf("participant %d received %d chat messages, %d were acknowledged", i, got, acked)
		}
	}
	if end.goroutines > begin.goroutines+n/10+5 {
		t.Errorf("goroutines grew from %d to %d", begin.goroutines, end.goroutines)
	}
	// Chat is kept in SQLite, not in memory: the heap stays flat (10 %,
	// with a 4 MiB floor for small runs where a GC cycle's noise dominates).
	if limit := begin.heap + max(begin.heap/10, 4<<20); end.heap > limit {
		t.Errorf("heap grew from %.1f MiB to %.1f MiB", float64(begin.heap)/(1<<20), float64(end.heap)/(1<<20))
	}
}
