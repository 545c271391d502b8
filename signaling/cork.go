package signaling

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// A WebSocket library writes each message with its own write system call.
// Under a chat fan-out every session gets a frame per message, and a
// session that has fallen behind would pay one system call per queued
// frame to catch up. corkConn lets the session's write loop send every
// frame waiting in its queue with one write: while corked, writes are
// kept in memory; uncork sends them at once.

// corkConn is the hijacked connection of a WebSocket.
type corkConn struct {
	net.Conn

	mu     sync.Mutex // guards corked and buf
	corked bool
	buf    []byte
}

// Write keeps p while corked, else writes it. Everything written while
// corked is whole WebSocket frames (the library flushes at the end of each
// frame, and the only other writer, the library's control frames, writes
// whole frames), so a control frame written directly while a batch is
// being sent may go before it without breaking the stream.
func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.corked { // bounded by the write loop's batch (maxBatch, or one frame)
		c.buf = append(c.buf, p...)
		c.mu.Unlock()
		return len(p), nil
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// cork starts holding writes.
func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// uncork sends what was held in one write and stops holding writes.
func (c *corkConn) uncork() error {
	c.mu.Lock()
	buf := c.buf
	c.corked = false
	c.buf = nil
	c.mu.Unlock()
	if len(buf) == 0 {
		return nil
	}
	_, err := c.Conn.Write(buf)
	c.mu.Lock()
	if c.buf == nil && cap(buf) <= 4<<10 { // keep a small buffer for the next batch; a backlog's goes
		c.buf = buf[:0]
	}
	c.mu.Unlock()
	return err
}

// setWriteTimeout bounds every write from now on by d; 0: no bound.
func (c *corkConn) setWriteTimeout(d time.Duration) {
	var t time.Time
	if d > 0 {
		t = time.Now().Add(d)
	}
	_ = c.Conn.SetWriteDeadline(t)
}

// corkWriter hands the WebSocket library a corkConn when it hijacks the
// HTTP connection.
type corkWriter struct {
	http.ResponseWriter
	conn *corkConn // set by Hijack
}

func (w *corkWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *corkWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// The 101 response is already flushed: the writer can start afresh
	// on the corkable connection, the reader keeps what it has buffered.
	w.conn = &corkConn{Conn: nc}
	return w.conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(w.conn, 4096)), nil
}
