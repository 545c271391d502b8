package signaling

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The server writes its data frames itself. Every frame is encoded once,
// WebSocket header included (encodeFrame), and the same bytes go to every
// recipient: a chat message to 500 students is one JSON encoding and 500
// writes of one shared slice, with no copy per recipient.
//
// A frame for a session with nothing queued or being written is written
// at once by whoever sends it (tryWrite: one non-blocking write(2) on the
// sender's goroutine, no wake-up of the session's write loop), as much of
// it as the socket takes; the rest of a frame begun that way goes before
// any other write. Otherwise the frame is queued, and the session's write
// loop sends everything waiting with one writev.
//
// The WebSocket library still performs the handshake, reads, answers pings
// and closes. Its writes are control frames, each flushed whole in one
// Write (they are at most 127 bytes, its buffer is 4 KiB, and it is given
// no data frame to write); wireConn serialises them with the write
// loop's, whole frames at a time, so the stream stays well formed.

// maxFrameHeader is the longest header of an unmasked server frame.
const maxFrameHeader = 10

// encodeFrame returns the text frame of an envelope, ready to write.
func encodeFrame(typ, id string, payload any) ([]byte, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return envelopeFrame(typ, id, body), nil
}

// envelopeFrame frames an envelope around an encoded payload: the bytes
// json.Marshal gives for Envelope{V: ProtocolVersion, Type: typ, ID: id,
// Payload: body} (clients may recognise a type by the frame's first
// bytes), after the WebSocket header.
func envelopeFrame(typ, id string, body []byte) []byte {
	b := make([]byte, maxFrameHeader, maxFrameHeader+len(typ)+len(id)+len(body)+40)
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, ProtocolVersion, 10)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, typ)
	if id != "" {
		b = append(b, `,"id":`...)
		b = appendJSONString(b, id)
	}
	if len(body) > 0 {
		b = append(b, `,"payload":`...)
		b = append(b, body...)
	}
	b = append(b, '}')
	return textFrame(b)
}

// textFrame writes the header of a final, unmasked text frame into the
// maxFrameHeader bytes reserved at the start of b and returns the frame.
func textFrame(b []byte) []byte {
	n := len(b) - maxFrameHeader
	switch {
	case n <= 125:
		b[8], b[9] = 0x81, byte(n)
		return b[8:]
	case n <= 0xffff:
		b[6], b[7] = 0x81, 126
		binary.BigEndian.PutUint16(b[8:], uint16(n))
		return b[6:]
	}
	b[0], b[1] = 0x81, 127
	binary.BigEndian.PutUint64(b[2:], uint64(n))
	return b
}

// rawFrame frames an encoded message received whole from elsewhere (an
// edge passes the origin's messages down unchanged).
func rawFrame(msg []byte) []byte {
	b := make([]byte, maxFrameHeader, maxFrameHeader+len(msg))
	return textFrame(append(b, msg...))
}

// appendJSONString appends s as a JSON string, as json.Marshal writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// wireConn is the hijacked connection of a WebSocket.
type wireConn struct {
	net.Conn

	timeout time.Duration // a write's bound (bound); 0: writeTimeout

	mu        sync.Mutex // serialises writes, whole frames at a time; guards the fields below
	deadline  time.Time  // the write deadline set on Conn
	buf       []byte     // gathers a batch when Conn cannot writev
	closeSent bool       // the library has written a close frame
	pending   []byte     // the rest of a frame tryWrite began: written before anything else

	raw   syscall.RawConn    // the TCP connection's, for tryWrite; nil: no direct writes
	try   func(uintptr) bool // writes tried once, made once (a closure per write would allocate)
	tried struct {
		frame []byte
		n     int
	}
}

// newWireConn wraps a hijacked connection.
func newWireConn(nc net.Conn) *wireConn {
	c := &wireConn{Conn: nc}
	if tc, ok := nc.(*net.TCPConn); ok {
		c.raw, _ = tc.SyscallConn()
		c.try = func(fd uintptr) bool {
			c.tried.n, _ = syscall.Write(int(fd), c.tried.frame)
			return true // never wait
		}
	}
	return c
}

// tryWrite writes as much of frame as the socket takes now, without
// waiting for it or for another writer, and returns how much it wrote;
// the rest goes before any other write (pending).
func (c *wireConn) tryWrite(frame []byte) int {
	if c.raw == nil || !c.mu.TryLock() {
		return 0
	}
	defer c.mu.Unlock()
	if c.closeSent || len(c.pending) > 0 {
		return 0
	}
	c.tried.frame, c.tried.n = frame, 0
	_ = c.raw.Write(c.try)
	n := max(c.tried.n, 0)
	c.tried.frame = nil
	if n < len(frame) && n > 0 {
		c.pending = frame[n:]
	}
	return n
}

// flushPending writes the rest of a frame tryWrite began.
func (c *wireConn) flushPending() error {
	if len(c.pending) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.pending)
	c.pending = nil
	return err
}

// errCloseSent refuses data frames after a close frame (RFC 6455, 5.5.1).
var errCloseSent = errors.New("websocket close frame already sent")

// Write is the library's: one whole control frame.
func (c *wireConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(p) > 0 && p[0]&0x0f == 0x8 { // a close: the session's own writes end here
		c.closeSent = true
	}
	c.bound()
	if err := c.flushPending(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// writeFrames writes whole frames with one system call where it can.
// It consumes frames.
func (c *wireConn) writeFrames(frames *net.Buffers) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent { // closeNow closed while the write loop held a batch
		return errCloseSent
	}
	c.bound()
	if err := c.flushPending(); err != nil {
		return err
	}
	if _, ok := c.Conn.(*net.TCPConn); ok || len(*frames) == 1 { // writev, or nothing to gather
		_, err := frames.WriteTo(c.Conn)
		return err
	}
	c.buf = c.buf[:0]
	for _, f := range *frames {
		c.buf = append(c.buf, f...)
	}
	*frames = (*frames)[:0]
	_, err := c.Conn.Write(c.buf)
	if cap(c.buf) > 4<<10 {
		c.buf = nil // a backlog's buffer goes
	}
	return err
}

// bound gives the next write between the timeout and 1.5 times it to
// finish: the deadline moves only when less than the timeout is left,
// which spares a deadline change (a lock and a timer) per write.
func (c *wireConn) bound() {
	d := c.timeout
	if d == 0 {
		d = writeTimeout
	}
	now := time.Now()
	if c.deadline.Sub(now) >= d {
		return
	}
	c.deadline = now.Add(d + d/2)
	_ = c.Conn.SetWriteDeadline(c.deadline)
}

// wireWriter hands the WebSocket library a wireConn when it hijacks the
// HTTP connection.
type wireWriter struct {
	http.ResponseWriter
	conn *wireConn // set by Hijack
}

func (w *wireWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *wireWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// The 101 response is already flushed: the writer can start afresh
	// on the wireConn, the reader keeps what it has buffered.
	w.conn = newWireConn(nc)
	return w.conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(w.conn, 4096)), nil
}
