package sfu

import (
	"net"
	"sync"
	"sync/atomic"

	"golang.org/x/net/ipv4"
)

// maxBatch caps the packets queued for one sendmmsg call.
const maxBatch = 64

// batchBuf is the largest packet a batch slot holds: an RTP packet read
// into receiveMTU plus SRTP's authentication tag; anything longer is sent
// at once.
const batchBuf = receiveMTU + 64

// batchConn is the socket under the ICE UDP mux. Writes made while a
// fan-out is under way (begin … end, around one packet's trip to every
// down-track) are queued and leave together in one or a few sendmmsg calls
// (golang.org/x/net/ipv4 WriteBatch) when the last fan-out under way ends
// or the queue holds maxBatch packets; outside fan-outs a write leaves at
// once. There is no timer: a queued packet waits at most for the fan-outs
// in progress, which take microseconds. Everything else passes through to
// the wrapped connection.
type batchConn struct {
	net.PacketConn
	pc      *ipv4.PacketConn
	raw     *rawUDP      // nil: Go's own socket calls (not Linux, not IPv4)
	fanouts atomic.Int32 // fan-outs under way

	mu    sync.Mutex // guards n, msgs, slots and bufs
	n     int        // packets queued
	msgs  [maxBatch]ipv4.Message
	slots [maxBatch][1][]byte
	bufs  [maxBatch][batchBuf]byte

	calls   atomic.Uint64 // sendmmsg calls made
	batched atomic.Uint64 // packets sent through them
}

func newBatchConn(c net.PacketConn) *batchConn {
	b := &batchConn{PacketConn: c, pc: ipv4.NewPacketConn(c), raw: newRawUDP(c)}
	for i := range b.msgs {
		b.msgs[i].Buffers = b.slots[i][:]
	}
	return b
}

// WriteTo queues p during a fan-out (it is copied: callers reuse their
// buffers) and writes it at once otherwise. A write while packets are
// still queued (a fan-out has just ended and not flushed yet) joins the
// queue and flushes it, so that one sender's packets never overtake each
// other.
func (b *batchConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	b.mu.Lock()
	if b.n == 0 && (b.fanouts.Load() == 0 || len(p) > batchBuf) {
		b.mu.Unlock()
		return b.writeNow(p, addr)
	}
	if len(p) > batchBuf {
		b.flushLocked()
		n, err := b.writeNow(p, addr)
		b.mu.Unlock()
		return n, err
	}
	i := b.n
	b.slots[i][0] = b.bufs[i][:copy(b.bufs[i][:], p)]
	b.msgs[i].Addr = addr
	b.n++
	// The last fan-out may have ended (and flushed) since it was counted:
	// then nobody else will flush this packet.
	if b.n == maxBatch || b.fanouts.Load() == 0 {
		b.flushLocked()
	}
	b.mu.Unlock()
	return len(p), nil
}

// writeNow sends p at once.
func (b *batchConn) writeNow(p []byte, addr net.Addr) (int, error) {
	if b.raw != nil {
		return b.raw.WriteTo(p, addr)
	}
	return b.PacketConn.WriteTo(p, addr)
}

// ReadFrom reads one datagram (rawudp_linux.go says why not through Go's
// own call).
func (b *batchConn) ReadFrom(p []byte) (int, net.Addr, error) {
	if b.raw != nil {
		return b.raw.ReadFrom(p)
	}
	return b.PacketConn.ReadFrom(p)
}

// begin marks the start of a fan-out.
func (b *batchConn) begin() { b.fanouts.Add(1) }

// end marks its end and sends what is queued.
func (b *batchConn) end() {
	b.fanouts.Add(-1)
	b.mu.Lock()
	if b.n > 0 {
		b.flushLocked()
	}
	b.mu.Unlock()
}

// flushLocked sends the queue; a destination that fails is skipped, as a
// lost datagram would be.
func (b *batchConn) flushLocked() {
	if b.raw != nil {
		k := 0
		for i := 0; i < b.n; i++ {
			if b.raw.setBatch(k, b.slots[i][0], b.msgs[i].Addr) {
				k++
			}
		}
		b.calls.Add(uint64(b.raw.sendBatchN(k)))
	} else {
		for sent := 0; sent < b.n; {
			k, err := b.pc.WriteBatch(b.msgs[sent:b.n], 0)
			b.calls.Add(1)
			if err != nil && k <= 0 {
				k = 1
			}
			sent += k
		}
	}
	b.batched.Add(uint64(b.n))
	for i := 0; i < b.n; i++ {
		b.msgs[i].Addr = nil
	}
	b.n = 0
}

// fanout brackets one fan-out; nil-safe, so that SFUs without the ICE UDP
// mux (and benchmarks) pass no batcher.
type fanout struct{ b *batchConn }

func (f fanout) begin() {
	if f.b != nil {
		f.b.begin()
	}
}

func (f fanout) end() {
	if f.b != nil {
		f.b.end()
	}
}
