package signaling

import (
	"sync"
	"time"

	"github.com/coder/websocket"
)

// How far a client may fall behind before it is disconnected as too slow.
// A WebSocket write that does not finish within writeTimeout (up to 1.5
// times that: wireConn.bound) also ends the session. A fan-out stalls every session of a lesson at once when the
// server is starved of CPU, so the limit is an age, not a count of frames:
// 500 students chatting send each of them 50 frames a second, and a count
// that a healthy client crosses during a few seconds' stall would cut
// everyone at once (TestChatSoak, docs/benchmarks.md).
const (
	maxLag       = 30 * time.Second
	maxQueued    = 8 << 20 // bytes waiting for one client (frames are shared between recipients)
	writeTimeout = 10 * time.Second
	// maxBatch bounds the bytes one write loop turn sends in one write.
	maxBatch = 256 << 10
)

// outFrame is a frame to write, or (close set) the close to perform once
// everything queued before it is written.
type outFrame struct {
	data   []byte
	close  bool
	code   websocket.StatusCode
	reason string
	at     time.Time // when it was queued
}

// outbox is a session's queue of frames to write. It grows as needed and
// never blocks the sender; too full or too old, it refuses.
type outbox struct {
	mu     sync.Mutex // guards frames, bytes, closed
	frames []outFrame
	bytes  int
	closed bool          // a close is queued: nothing more is accepted
	ready  chan struct{} // signalled (capacity 1) when frames were added
	// inflight counts the batches taken and not yet written, and the
	// direct write under way (claim): a frame may be written directly
	// only when nothing is queued or in flight before it.
	inflight int
}

// claim reserves the connection for a direct write of the next frame;
// false if anything is queued or in flight. done ends the claim.
func (o *outbox) claim() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed || len(o.frames) > 0 || o.inflight > 0 {
		return false
	}
	o.inflight++
	return true
}

// done ends a claim, or marks a taken batch written.
func (o *outbox) done() {
	o.mu.Lock()
	o.inflight--
	o.mu.Unlock()
}

// wake makes the write loop turn (to finish a partial direct write).
func (o *outbox) wake() {
	select {
	case o.ready <- struct{}{}:
	default:
	}
}

func newOutbox() *outbox { return &outbox{ready: make(chan struct{}, 1)} }

// push queues f; false if the client is too far behind (the caller
// disconnects it) or a close is already queued.
func (o *outbox) push(f outFrame) bool {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return !f.close // a second close is ignored, not a slow client
	}
	if !f.close && len(o.frames) > 0 && (o.bytes+len(f.data) > maxQueued || f.at.Sub(o.frames[0].at) > maxLag) {
		o.mu.Unlock()
		return false
	}
	o.frames = append(o.frames, f)
	o.bytes += len(f.data)
	o.closed = f.close
	o.mu.Unlock()
	select {
	case o.ready <- struct{}{}:
	default:
	}
	return true
}

// take removes and returns the frames waiting, oldest first, up to about
// maxBatch bytes (always at least one), into buf.
func (o *outbox) take(buf []outFrame) []outFrame {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, size := 0, 0
	for n < len(o.frames) && (n == 0 || size+len(o.frames[n].data) <= maxBatch) {
		size += len(o.frames[n].data)
		n++
	}
	buf = append(buf, o.frames[:n]...)
	clear(o.frames[:n])
	if n > 0 {
		o.inflight++
	}
	o.bytes -= size
	if n == len(o.frames) {
		if cap(o.frames) > 64 {
			o.frames = nil // let a backlog's array go
		} else {
			o.frames = o.frames[:0] // the next push needs no allocation
		}
	} else {
		o.frames = o.frames[n:]
		select { // more to do
		case o.ready <- struct{}{}:
		default:
		}
	}
	return buf
}
