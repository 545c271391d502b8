package bench

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/pion/webrtc/v4"
)

// student is one synthetic subscriber and what it counted.
type student struct {
	id     string
	sub    *peer.Subscriber
	client *peer.Client

	joinTime time.Duration // WebSocket dial to first complete video frame
	joined   bool

	mu      sync.Mutex // guards streams
	streams map[uint32]*streamCount

	layer atomic.Uint32 // SSRC of the teacher's stream of the last stamped video packet
}

// streamCount counts one received RTP stream (retransmissions excluded).
type streamCount struct {
	video   bool
	started bool
	first   uint64 // extended sequence numbers
	high    uint64
	packets uint64
	bytes   uint64
}

// counts is a copy of a student's totals, to be subtracted for a window.
type counts struct {
	videoPackets, videoExpected, audioPackets, audioExpected uint64
	bytes                                                    uint64
}

func (c counts) sub(o counts) counts {
	return counts{c.videoPackets - o.videoPackets, c.videoExpected - o.videoExpected,
		c.audioPackets - o.audioPackets, c.audioExpected - o.audioExpected, c.bytes - o.bytes}
}

func newStudent(id string) *student {
	return &student{id: id, streams: map[uint32]*streamCount{}}
}

// onPacket runs on the student's track readers, for every decrypted packet.
func (s *student) onPacket(r *run, p peer.ReceivedPacket) {
	mime := strings.ToLower(p.Stream.MimeType)
	if mime == "video/rtx" {
		return // a retransmission (RFC 4588): counted by its original only
	}
	video := strings.HasPrefix(mime, "video/")
	s.mu.Lock()
	c := s.streams[p.Header.SSRC]
	if c == nil {
		c = &streamCount{video: video}
		s.streams[p.Header.SSRC] = c
	}
	seq := uint64(p.Header.SequenceNumber)
	if !c.started {
		c.started, c.first, c.high = true, seq+1<<16, seq+1<<16
	} else {
		// Unwrap around the highest sequence number seen.
		ext := c.high&^0xffff | seq
		switch d := int16(uint16(seq) - uint16(c.high)); {
		case d > 0 && ext < c.high:
			ext += 1 << 16
		case d < 0 && ext > c.high:
			ext -= 1 << 16
		}
		if ext > c.high {
			c.high = ext
		}
	}
	c.packets++
	c.bytes += uint64(p.Header.MarshalSize() + len(p.Payload))
	s.mu.Unlock()
	if p.Stamped {
		r.delays.Load().add(p.At - p.Stamp.At)
		if video {
			s.layer.Store(p.Stamp.SSRC)
		}
	}
}

func (s *student) counts() counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c counts
	for _, sc := range s.streams {
		if !sc.started {
			continue
		}
		exp := sc.high - sc.first + 1
		if sc.video {
			c.videoPackets += sc.packets
			c.videoExpected += exp
		} else {
			c.audioPackets += sc.packets
			c.audioExpected += exp
		}
		c.bytes += sc.bytes
	}
	return c
}

// videoFrames returns the complete video frames reassembled so far.
func (s *student) videoFrames() int {
	if r := s.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 0); r != nil {
		return r.Stats().Frames
	}
	return 0
}

func (s *student) close() {
	if s.client != nil {
		s.client.Close()
	}
	if s.sub != nil {
		s.sub.Close()
	}
}
