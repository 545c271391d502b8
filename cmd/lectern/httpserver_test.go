package main

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSlowAndOversizedClientsAreCut: clients that send headers slowly
// (slowloris) are disconnected by the header timeout, an oversized header
// gets 431, and meanwhile an ordinary client is served at once.
func TestSlowAndOversizedClientsAreCut(t *testing.T) {
	srv := newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }),
		slog.New(slog.DiscardHandler))
	srv.ReadHeaderTimeout = 500 * time.Millisecond // the production value is readHeaderTimeout
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	addr := ln.Addr().String()

	const slow = 40
	cut := make(chan time.Duration, slow)
	for range slow {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		go func() {
			start := time.Now()
			_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
			// One header byte every 100 ms, never finishing.
			for i := 0; i < 100; i++ {
				if _, err := c.Write([]byte("X")); err != nil {
					break
				}
				_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
				if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
					break
				}
			}
			cut <- time.Since(start)
		}()
	}
	// An ordinary client is served while the slow ones hang on.
	time.Sleep(100 * time.Millisecond)
	began := time.Now()
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" || time.Since(began) > 2*time.Second {
		t.Fatalf("ordinary client: %q after %v", body, time.Since(began))
	}
	for range slow {
		if d := <-cut; d > 3*time.Second {
			t.Fatalf("a slowloris client was kept %v (header timeout 500 ms)", d)
		}
	}

	// An oversized header block.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 2*maxHeaderBytes)+"\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.Contains(line, "431") {
		t.Fatalf("oversized header: %q %v", line, err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
