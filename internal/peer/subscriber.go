package peer

import (
	"bytes"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"
)

// Subscriber receives media on its own PeerConnection and checks it.
type Subscriber struct {
	PC *webrtc.PeerConnection

	// CountOnly makes the subscriber count packets and frames (a frame
	// ends at a marker bit; a keyframe is seen at its first packet)
	// without reassembling them: light enough for a bench to follow a
	// server with hundreds of students. Frames and frame hashes are then
	// not kept. Set it before the first offer is answered.
	CountOnly bool

	mu     sync.Mutex // guards tracks
	tracks []*Received
	added  chan struct{} // signalled on each new track
	wg     sync.WaitGroup
}

// NewSubscriber creates a receiving peer.
func NewSubscriber(api *webrtc.API) (*Subscriber, error) {
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	s := &Subscriber{PC: pc, added: make(chan struct{}, 64)}
	pc.OnTrack(func(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
		rec := newReceived(t)
		rec.countOnly = s.CountOnly
		s.mu.Lock()
		s.tracks = append(s.tracks, rec)
		s.mu.Unlock()
		select {
		case s.added <- struct{}{}:
		default:
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			rec.read(t)
		}()
	})
	return s, nil
}

// Answer applies a server offer and returns the answer.
func (s *Subscriber) Answer(offer string) (string, error) {
	if err := s.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", err
	}
	ans, err := s.PC.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	return setComplete(s.PC, ans)
}

// Tracks returns what has been received so far.
func (s *Subscriber) Tracks() []*Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Received(nil), s.tracks...)
}

// WaitTrack waits until a track of the given kind is received.
func (s *Subscriber) WaitTrack(kind webrtc.RTPCodecType, timeout time.Duration) *Received {
	deadline := time.After(timeout)
	for {
		for _, r := range s.Tracks() {
			if r.Kind == kind {
				return r
			}
		}
		select {
		case <-s.added:
		case <-deadline:
			return nil
		}
	}
}

// Close closes the connection and waits for the readers.
func (s *Subscriber) Close() {
	_ = s.PC.Close()
	s.wg.Wait()
}

// Received is one received track and what was checked of it.
type Received struct {
	Kind     webrtc.RTPCodecType
	MimeType string
	TrackID  string
	StreamID string
	Started  time.Time

	mu             sync.Mutex // guards the fields below
	packets        int
	frames         int
	keyframes      int
	firstIsKey     bool
	firstPacketAt  time.Time
	firstFrameAt   time.Time
	firstKeyAt     time.Time
	outOfOrder     int
	lastFrameTS    uint32
	highSeq        uint32 // extended
	firstSeq       uint32
	width, height  int
	frameLog       []FrameInfo
	hasPicID       bool
	lastPicID      uint16
	picIDJumps     int
	gotFirstPacket chan struct{}
	gotKeyframe    chan struct{}
	countOnly      bool // set before read starts
}

func newReceived(t *webrtc.TrackRemote) *Received {
	return &Received{Kind: t.Kind(), MimeType: t.Codec().MimeType, TrackID: t.ID(), StreamID: t.StreamID(),
		Started: time.Now(), gotFirstPacket: make(chan struct{}), gotKeyframe: make(chan struct{})}
}

// Stats is a copy of what a Received counted.
type Stats struct {
	Packets, Frames, Keyframes, OutOfOrderFrames int
	Lost                                         int
	FirstFrameIsKeyframe                         bool
	FirstPacketAt, FirstFrameAt, FirstKeyframeAt time.Time
	Width, Height                                int
	// PictureIDJumps counts VP8 packets whose picture id is neither the
	// previous one nor the next: a switch of layer that was not rewritten,
	// or loss of a whole frame.
	PictureIDJumps int
}

// FrameInfo is one reassembled video frame, in arrival order.
type FrameInfo struct {
	Hash          uint64 // FNV-1a of the frame's bytes
	Keyframe      bool
	Width, Height int // of a keyframe
	At            time.Time
}

// maxFrameDelay is how long an incomplete frame is waited for, as a
// browser's jitter buffer would, before it is given up for lost.
const maxFrameDelay = 500 * time.Millisecond

// maxFrameLog bounds Received.Frames.
const maxFrameLog = 20000

// Frames returns the frames received so far.
func (r *Received) Frames() []FrameInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]FrameInfo(nil), r.frameLog...)
}

// HashFrame is the hash FrameInfo.Hash holds.
func HashFrame(b []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(b)
	return h.Sum64()
}

// Stats returns the counts so far.
func (r *Received) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	lost := 0
	if r.packets > 0 {
		lost = int(r.highSeq-r.firstSeq+1) - r.packets
		if lost < 0 {
			lost = 0
		}
	}
	return Stats{Packets: r.packets, Frames: r.frames, Keyframes: r.keyframes, OutOfOrderFrames: r.outOfOrder,
		Lost: lost, FirstFrameIsKeyframe: r.firstIsKey, FirstPacketAt: r.firstPacketAt, FirstFrameAt: r.firstFrameAt,
		FirstKeyframeAt: r.firstKeyAt, Width: r.width, Height: r.height, PictureIDJumps: r.picIDJumps}
}

// WaitKeyframe waits for the first complete keyframe.
func (r *Received) WaitKeyframe(timeout time.Duration) bool {
	select {
	case <-r.gotKeyframe:
		return true
	case <-time.After(timeout):
		return false
	}
}

// WaitPacket waits for the first packet.
func (r *Received) WaitPacket(timeout time.Duration) bool {
	select {
	case <-r.gotFirstPacket:
		return true
	case <-time.After(timeout):
		return false
	}
}

func (r *Received) read(t *webrtc.TrackRemote) {
	var sb *samplebuilder.SampleBuilder
	switch strings.ToLower(r.MimeType) {
	case strings.ToLower(webrtc.MimeTypeVP8):
		sb = samplebuilder.New(256, &codecs.VP8Packet{}, 90000, samplebuilder.WithMaxTimeDelay(maxFrameDelay))
	case strings.ToLower(webrtc.MimeTypeH264):
		sb = samplebuilder.New(256, &codecs.H264Packet{}, 90000, samplebuilder.WithMaxTimeDelay(maxFrameDelay))
	}
	buf := make([]byte, 1500)
	if r.countOnly {
		r.count(t, buf)
		return
	}
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		pkt := &rtp.Packet{}
		if pkt.Unmarshal(append([]byte(nil), buf[:n]...)) != nil {
			continue
		}
		r.onPacket(pkt)
		if sb == nil {
			continue
		}
		sb.Push(pkt)
		for s := sb.Pop(); s != nil; s = sb.Pop() {
			r.onFrame(s.Data, s.PacketTimestamp)
		}
	}
}

func (r *Received) onPacket(p *rtp.Packet) {
	inOrder := true
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.packets == 0 {
		r.firstSeq, r.highSeq = uint32(p.SequenceNumber), uint32(p.SequenceNumber)
		r.firstPacketAt = time.Now()
		close(r.gotFirstPacket)
		if r.Kind == webrtc.RTPCodecTypeAudio {
			r.firstKeyAt = r.firstPacketAt
			close(r.gotKeyframe)
		}
	} else {
		cycle := r.highSeq &^ 0xffff
		ext := cycle | uint32(p.SequenceNumber)
		if d := int16(p.SequenceNumber - uint16(r.highSeq)); d > 0 {
			if uint16(ext) < uint16(r.highSeq) {
				ext += 1 << 16
			}
			r.highSeq = ext
		} else {
			inOrder = false
		}
	}
	r.packets++
	// Picture ids are compared on in-order packets only: a retransmitted
	// (NACKed) or reordered packet rightly carries an older id.
	if inOrder && strings.EqualFold(r.MimeType, webrtc.MimeTypeVP8) {
		if id, ok := vp8PictureID(p.Payload); ok {
			if r.hasPicID && id != r.lastPicID && id != (r.lastPicID+1)&0x7fff {
				r.picIDJumps++
			}
			r.hasPicID, r.lastPicID = true, id
		}
	}
}

// vp8PictureID returns the 15-bit picture id of a VP8 payload descriptor
// (RFC 7741 §4.2), if it has one.
func vp8PictureID(p []byte) (uint16, bool) {
	if len(p) < 3 || p[0]&0x80 == 0 || p[1]&0x80 == 0 {
		return 0, false
	}
	if p[2]&0x80 == 0 {
		return uint16(p[2]), true
	}
	if len(p) < 4 {
		return 0, false
	}
	return uint16(p[2]&0x7f)<<8 | uint16(p[3]), true
}

func (r *Received) onFrame(data []byte, ts uint32) {
	key, w, h := false, 0, 0
	switch strings.ToLower(r.MimeType) {
	case strings.ToLower(webrtc.MimeTypeVP8):
		key, w, h = VP8Keyframe(data)
	case strings.ToLower(webrtc.MimeTypeH264):
		key = H264HasIDR(data)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.frames == 0 {
		r.firstIsKey = key
		r.firstFrameAt = time.Now()
	} else if int32(ts-r.lastFrameTS) <= 0 {
		r.outOfOrder++
	}
	r.lastFrameTS = ts
	r.frames++
	if len(r.frameLog) < maxFrameLog {
		r.frameLog = append(r.frameLog, FrameInfo{Hash: HashFrame(data), Keyframe: key, Width: w, Height: h, At: time.Now()})
	}
	if key {
		if r.keyframes == 0 {
			r.firstKeyAt = time.Now()
			r.width, r.height = w, h
			close(r.gotKeyframe)
		}
		r.keyframes++
	}
}

// VP8Keyframe reports whether a whole VP8 frame is a valid keyframe (RFC
// 6386 §9.1: the start code and a non-zero size) and its size.
func VP8Keyframe(f []byte) (ok bool, width, height int) {
	if len(f) < 10 || f[0]&1 != 0 || !bytes.Equal(f[3:6], []byte{0x9d, 0x01, 0x2a}) {
		return false, 0, 0
	}
	width = int(f[6]) | int(f[7]&0x3f)<<8
	height = int(f[8]) | int(f[9]&0x3f)<<8
	return width > 0 && height > 0, width, height
}

// H264HasIDR reports whether an Annex B access unit holds an IDR slice.
func H264HasIDR(au []byte) bool {
	for i := 0; i+3 < len(au); i++ {
		if au[i] == 0 && au[i+1] == 0 && au[i+2] == 1 && au[i+3]&0x1f == 5 {
			return true
		}
	}
	return false
}

// count is read for a CountOnly subscriber: one reused packet, no frame
// reassembly.
func (r *Received) count(t *webrtc.TrackRemote, buf []byte) {
	var pkt rtp.Packet
	var vp8 codecs.VP8Packet
	isVP8 := strings.EqualFold(r.MimeType, webrtc.MimeTypeVP8)
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		r.onPacket(&pkt)
		if r.Kind != webrtc.RTPCodecTypeVideo {
			continue
		}
		key, w, h := false, 0, 0
		if isVP8 {
			if data, err := vp8.Unmarshal(pkt.Payload); err == nil && vp8.S == 1 && vp8.PID == 0 {
				key, w, h = VP8Keyframe(data)
			}
		}
		r.onCounted(key, w, h, pkt.Marker)
	}
}

// onCounted accounts one video packet of a CountOnly subscriber.
func (r *Received) onCounted(key bool, w, h int, marker bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if key {
		if r.keyframes == 0 {
			r.firstKeyAt = time.Now()
			r.firstIsKey = r.frames == 0
			r.width, r.height = w, h
			close(r.gotKeyframe)
		}
		r.keyframes++
	}
	if marker {
		if r.frames == 0 {
			r.firstFrameAt = time.Now()
		}
		r.frames++
	}
}
