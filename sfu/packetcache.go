package sfu

import (
	"sync"

	"github.com/pion/rtp"
)

// cacheSize is how many packets a packetCache holds: a power of two, about
// 3 s of a 1.5 Mbps layer, beyond the ~1 s a browser waits for a repair.
const cacheSize = 512

// maxReplay bounds the packets a joining or switching down-track is sent
// at once from the cache (the latest keyframe and what followed it):
// about 300 KB, beyond which it waits for the next keyframe instead.
const maxReplay = 256

// cacheSlot holds one packet's payload and the header fields a down-track
// rewrites it from. Slots are fixed-size so that the cache allocates once.
type cacheSlot struct {
	seq    uint16
	n      uint16 // payload bytes held; 0: empty
	marker bool
	ts     uint32
	ssrc   uint32
	buf    [receiveMTU]byte
}

type cacheSlots [cacheSize]cacheSlot

// slotPool recycles the slots of ended tracks' caches.
var slotPool = sync.Pool{New: func() any { return new(cacheSlots) }}

// packetCache keeps the latest packets of one received video layer, as
// read from the publisher, in fixed slots indexed by sequence number: one
// copy per packet however many subscribers receive it (the idea of
// Galène's packetcache). Down-tracks answer their subscribers' NACKs from
// it, each under its own sequence numbers (nack.go), and a down-track that
// joins or switches layer replays the latest keyframe and what followed
// from it (replay.go). The layer's reader goroutine is its only writer.
type packetCache struct {
	mu       sync.Mutex // guards everything below
	slots    *cacheSlots
	kfSeq    uint16 // first packet of the latest keyframe
	kfOK     bool   // kfSeq is set
	last     uint16 // the latest packet put
	lastOK   bool   // last is set
	released bool
}

// put stores pkt; keyframe marks the first packet of a keyframe. It does
// not allocate once the slots are taken from the pool.
func (c *packetCache) put(pkt *rtp.Packet, keyframe bool) {
	if len(pkt.Payload) > receiveMTU {
		return
	}
	c.mu.Lock()
	if c.slots == nil {
		if c.released {
			c.mu.Unlock()
			return
		}
		c.slots = slotPool.Get().(*cacheSlots)
		for i := range c.slots {
			c.slots[i].n = 0 // a pooled array holds another track's packets
		}
	}
	s := &c.slots[pkt.SequenceNumber&(cacheSize-1)]
	s.seq, s.marker, s.ts, s.ssrc = pkt.SequenceNumber, pkt.Marker, pkt.Timestamp, pkt.SSRC
	s.n = uint16(copy(s.buf[:], pkt.Payload))
	if keyframe {
		c.kfSeq, c.kfOK = pkt.SequenceNumber, true
	}
	c.last, c.lastOK = pkt.SequenceNumber, true
	c.mu.Unlock()
}

// newest returns the sequence number of the latest packet put.
func (c *packetCache) newest() (uint16, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last, c.lastOK && c.slots != nil
}

// load copies the packet seq into pkt (header fields) and buf (payload,
// which pkt.Payload then points into); false when it is not held.
func (c *packetCache) load(seq uint16, pkt *rtp.Packet, buf *[receiveMTU]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.slots == nil {
		return false
	}
	s := &c.slots[seq&(cacheSize-1)]
	if s.n == 0 || s.seq != seq {
		return false
	}
	n := copy(buf[:], s.buf[:s.n])
	pkt.Header = rtp.Header{Version: 2, Marker: s.marker, SequenceNumber: seq, Timestamp: s.ts, SSRC: s.ssrc,
		Extensions: pkt.Extensions[:0]}
	pkt.Payload = buf[:n]
	return true
}

// gop returns the first sequence number of the latest keyframe when every
// packet from it up to, not including, upTo is held and there are at most
// limit of them.
func (c *packetCache) gop(upTo uint16, limit int) (start uint16, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.slots == nil || !c.kfOK {
		return 0, false
	}
	n := upTo - c.kfSeq
	if n == 0 || int(n) > limit || n >= cacheSize {
		return 0, false
	}
	for i := uint16(0); i < n; i++ {
		seq := c.kfSeq + i
		if s := &c.slots[seq&(cacheSize-1)]; s.n == 0 || s.seq != seq {
			return 0, false
		}
	}
	return c.kfSeq, true
}

// release returns the slots to the pool; the cache holds nothing after.
func (c *packetCache) release() {
	c.mu.Lock()
	if c.slots != nil {
		slotPool.Put(c.slots)
		c.slots = nil
	}
	c.released = true
	c.mu.Unlock()
}
