package sfu

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// tapSlots is how many packets a tap holds for its consumer before it
// drops: about a second of a 1.5 Mbps video with its sound.
const tapSlots = 512

// tapFollowInterval is how often a tap looks again at the room's main
// tracks (a screen share starting or stopping, a publisher leaving).
const tapFollowInterval = 200 * time.Millisecond

// TapPacket is one RTP packet handed to a tap's consumer. It belongs to
// the consumer until Tap.Release gives it back.
type TapPacket struct {
	Kind    webrtc.RTPCodecType
	Codec   webrtc.RTPCodecParameters // the publisher's codec
	Header  rtp.Header                // SSRC, sequence number and timestamp in the tap's own space
	Payload []byte

	buf [receiveMTU]byte
}

// Tap is a local consumer of a room's main video (a screen share while
// there is one, else a camera; its top layer) and the microphone of the
// same publisher, without a PeerConnection: the recorder. Packets reach
// it through down-tracks of its own, so the forwarding goroutines see one
// more down-track and nothing else; a consumer that falls behind loses
// packets (counted by Dropped), it never slows forwarding. The tap follows
// the room as it comes, goes and changes its main tracks.
type Tap struct {
	sfu    *SFU
	roomID string
	// videoCodecs, when not empty, are the only main-video codecs the tap
	// takes (TapVideoCodecs); skipped is the last one it passed over.
	videoCodecs []string
	skipped     string

	free chan *TapPacket
	out  chan *TapPacket

	connected atomic.Bool // always true: the down-tracks write at once
	dropped   atomic.Uint64

	mu    sync.Mutex // guards video and audio (the follow goroutine and Close)
	video *DownTrack
	audio *DownTrack

	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
}

// TapOption configures a Tap.
type TapOption func(*Tap)

// TapVideoCodecs makes the tap take the main video only while its codec
// is one of mimeTypes (the recorder: H.264). A main video in another codec
// is not tapped at all, so the tap does not hold its top layer at the
// publisher (dynacast) for nothing.
func TapVideoCodecs(mimeTypes ...string) TapOption {
	return func(t *Tap) { t.videoCodecs = mimeTypes }
}

// Tap starts tapping room roomID, which need not exist yet.
func (s *SFU) Tap(roomID string, opts ...TapOption) *Tap {
	t := &Tap{sfu: s, roomID: roomID, free: make(chan *TapPacket, tapSlots),
		out: make(chan *TapPacket, tapSlots), done: make(chan struct{})}
	for _, o := range opts {
		o(t)
	}
	for range tapSlots {
		t.free <- &TapPacket{}
	}
	t.connected.Store(true)
	t.follow()
	t.wg.Add(1)
	go t.followLoop()
	return t
}

// Packets delivers the tapped packets; it is never closed, select on Done.
func (t *Tap) Packets() <-chan *TapPacket { return t.out }

// Done is closed when the tap is closed.
func (t *Tap) Done() <-chan struct{} { return t.done }

// Release gives a packet back to the tap once the consumer is done with it.
func (t *Tap) Release(p *TapPacket) {
	select {
	case t.free <- p:
	default:
	}
}

// Dropped counts the packets lost because the consumer was behind.
func (t *Tap) Dropped() uint64 { return t.dropped.Load() }

// Sources returns the tracks tapped now (nil when none).
func (t *Tap) Sources() (video, audio *Track) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.video != nil {
		video = t.video.source.Load()
	}
	if t.audio != nil {
		audio = t.audio.source.Load()
	}
	return video, audio
}

// RequestKeyframe asks the tapped video's publisher for a keyframe of the
// layer the tap receives (rate-limited like every keyframe request).
func (t *Tap) RequestKeyframe() {
	t.mu.Lock()
	d := t.video
	t.mu.Unlock()
	if d != nil {
		d.requestKeyframe()
	}
}

// Close stops the tap and waits for its goroutine. It is idempotent.
func (t *Tap) Close() {
	t.closeOnce.Do(func() { close(t.done) })
	t.wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, d := range []*DownTrack{t.video, t.audio} {
		if d != nil {
			d.switchTo(nil)
		}
	}
}

func (t *Tap) followLoop() {
	defer t.wg.Done()
	tick := time.NewTicker(tapFollowInterval)
	defer tick.Stop()
	for {
		select {
		case <-t.done:
			return
		case <-tick.C:
			t.follow()
		}
	}
}

// follow points the tap at the room's current main tracks.
func (t *Tap) follow() {
	var video, audio *Track
	if r := t.sfu.Room(t.roomID); r != nil {
		video, audio = r.mainTracks()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	select {
	case <-t.done:
		return
	default:
	}
	if video != nil && !t.takesVideo(video.codec.MimeType) {
		if t.skipped != video.codec.MimeType {
			t.skipped = video.codec.MimeType
			t.sfu.log.Warn("tap: the main video's codec is not tapped", "room", t.roomID, "codec", video.codec.MimeType)
		}
		video = nil
	}
	t.video = t.point(t.video, video, webrtc.RTPCodecTypeVideo, 1)
	t.audio = t.point(t.audio, audio, webrtc.RTPCodecTypeAudio, 2)
}

// takesVideo reports whether the tap takes a main video in mimeType.
func (t *Tap) takesVideo(mimeType string) bool {
	if len(t.videoCodecs) == 0 {
		return true
	}
	for _, m := range t.videoCodecs {
		if strings.EqualFold(m, mimeType) {
			return true
		}
	}
	return false
}

// point moves down-track d onto track src, replacing d when the codec
// changes; it returns the down-track now in use.
func (t *Tap) point(d *DownTrack, src *Track, kind webrtc.RTPCodecType, ssrc uint32) *DownTrack {
	if d != nil && d.source.Load() == src {
		return d
	}
	if src == nil {
		if d != nil {
			d.switchTo(nil)
		}
		return d
	}
	if d != nil && d.switchTo(src) {
		return d
	}
	if d != nil {
		d.switchTo(nil)
	}
	nd := newPlayerDownTrack("tap", t.roomID, kind, src.codec, &t.connected, &t.sfu.ctr)
	nd.bound.Store(&binding{ssrc: ssrc, pt: uint8(src.codec.PayloadType), w: &tapWriter{t: t, kind: kind, codec: src.codec}})
	nd.switchTo(src)
	nd.requestKeyframe()
	return nd
}

// tapWriter is the write end of one tap down-track.
type tapWriter struct {
	t     *Tap
	kind  webrtc.RTPCodecType
	codec webrtc.RTPCodecParameters
}

// WriteRTP copies one packet into a free slot and queues it, or drops it.
// It runs on a forwarding goroutine: it never blocks and never allocates.
func (w *tapWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	var p *TapPacket
	select {
	case p = <-w.t.free:
	default:
		w.t.dropped.Add(1)
		return 0, nil
	}
	if len(payload) > len(p.buf) {
		w.t.Release(p)
		w.t.dropped.Add(1)
		return 0, nil
	}
	p.Kind, p.Codec = w.kind, w.codec
	p.Header = *h
	p.Header.Extensions = nil
	p.Header.CSRC = nil
	p.Payload = p.buf[:copy(p.buf[:], payload)]
	select {
	case w.t.out <- p:
	default: // cannot happen: out holds as many as there are slots
		w.t.Release(p)
		w.t.dropped.Add(1)
	}
	return len(payload), nil
}

// Write is not used by down-tracks.
func (w *tapWriter) Write(b []byte) (int, error) { return len(b), nil }

// RoomIDs lists the rooms open now (the recorder starts a tap for each).
func (s *SFU) RoomIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.rooms))
	for id := range s.rooms {
		ids = append(ids, id)
	}
	return ids
}
