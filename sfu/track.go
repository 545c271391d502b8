package sfu

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// receiveMTU is the size of the buffer one reader reads packets into.
const receiveMTU = 1500

// Track is one published track: a reader goroutine forwarding to the
// track's down-tracks.
type Track struct {
	id     string
	owner  *Participant
	kind   webrtc.RTPCodecType
	source Source
	codec  webrtc.RTPCodecParameters
	ck     codecKind
	remote *webrtc.TrackRemote

	// downs is replaced, never mutated, so that the reader reads it
	// without a lock.
	downs  atomic.Pointer[[]*DownTrack]
	downMu sync.Mutex // serialises replacements of downs

	forwarding atomic.Bool  // false while muted at the server
	lastPLI    atomic.Int64 // unix nanoseconds of the last PLI sent
	pli        chan struct{}

	closeOnce sync.Once
	done      chan struct{} // closed by close
	wg        sync.WaitGroup

	packets atomic.Uint64 // packets read from the publisher
}

func newTrack(id string, owner *Participant, source Source, remote *webrtc.TrackRemote) *Track {
	t := &Track{
		id: id, owner: owner, kind: remote.Kind(), source: source,
		codec: remote.Codec(), ck: kindOfCodec(remote.Codec().MimeType), remote: remote,
		pli: make(chan struct{}, 1), done: make(chan struct{}),
	}
	t.downs.Store(&[]*DownTrack{})
	t.forwarding.Store(true)
	return t
}

// ID returns the track's server-assigned id.
func (t *Track) ID() string { return t.id }

// Source returns what the track carries.
func (t *Track) Source() Source { return t.source }

// Kind returns audio or video.
func (t *Track) Kind() webrtc.RTPCodecType { return t.kind }

// Owner returns the publishing participant.
func (t *Track) Owner() *Participant { return t.owner }

// Codec returns the publisher's codec.
func (t *Track) Codec() webrtc.RTPCodecParameters { return t.codec }

// PacketsReceived counts the packets read from the publisher.
func (t *Track) PacketsReceived() uint64 { return t.packets.Load() }

// Info describes the track for subscribers.
func (t *Track) Info() TrackInfo {
	return TrackInfo{ID: t.id, ParticipantID: t.owner.id, Kind: t.kind.String(), Source: t.source}
}

// SetForwarding stops (false) or resumes (true) forwarding to every
// subscriber, for a moderator's mute. On resume, video waits for a keyframe.
func (t *Track) SetForwarding(on bool) {
	if t.forwarding.Swap(on) == on || !on {
		return
	}
	for _, d := range *t.downs.Load() {
		d.resync(t.kind == webrtc.RTPCodecTypeVideo)
	}
	t.RequestKeyframe()
}

// Forwarding reports whether the track is being forwarded.
func (t *Track) Forwarding() bool { return t.forwarding.Load() }

func (t *Track) start() {
	t.wg.Add(2)
	go t.readLoop()
	go t.pliLoop()
}

// readLoop is the track's one reader: one reused buffer, one reused
// rtp.Packet and one reused scratch header for all down-tracks.
func (t *Track) readLoop() {
	defer t.wg.Done()
	defer t.owner.room.removeTrack(t)
	buf := make([]byte, receiveMTU)
	var pkt rtp.Packet
	var scratch rtp.Header
	for {
		n, _, err := t.remote.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		t.packets.Add(1)
		t.forward(&pkt, &scratch, time.Now().UnixNano())
	}
}

// forward hands one packet to every down-track. It is the per-packet hot
// path and must not allocate.
func (t *Track) forward(pkt *rtp.Packet, scratch *rtp.Header, now int64) {
	if !t.forwarding.Load() || len(pkt.Payload) == 0 {
		return
	}
	kf := t.kind == webrtc.RTPCodecTypeAudio || isKeyframeStart(t.ck, pkt.Payload)
	for _, d := range *t.downs.Load() {
		d.writeRTP(pkt, scratch, kf, now)
	}
}

// RequestKeyframe asks the publisher for a keyframe, at most once per
// Config.PLIInterval. It never blocks.
func (t *Track) RequestKeyframe() {
	if t.kind != webrtc.RTPCodecTypeVideo {
		return
	}
	select {
	case t.pli <- struct{}{}:
	default:
	}
}

func (t *Track) pliLoop() {
	defer t.wg.Done()
	interval := t.owner.room.sfu.cfg.PLIInterval
	for {
		select {
		case <-t.done:
			return
		case <-t.pli:
		}
		now := time.Now()
		if last := t.lastPLI.Load(); last != 0 && now.Sub(time.Unix(0, last)) < interval {
			// Too soon: send when the interval is up unless closed.
			select {
			case <-t.done:
				return
			case <-time.After(interval - now.Sub(time.Unix(0, last))):
			}
		}
		t.lastPLI.Store(time.Now().UnixNano())
		pc := t.owner.publishPC()
		if pc == nil {
			continue
		}
		_ = pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(t.remote.SSRC())}})
	}
}

func (t *Track) addDown(d *DownTrack) {
	t.downMu.Lock()
	old := *t.downs.Load()
	next := make([]*DownTrack, len(old), len(old)+1)
	copy(next, old)
	next = append(next, d)
	t.downs.Store(&next)
	t.downMu.Unlock()
	t.RequestKeyframe()
}

func (t *Track) removeDown(d *DownTrack) {
	t.downMu.Lock()
	old := *t.downs.Load()
	next := make([]*DownTrack, 0, len(old))
	for _, x := range old {
		if x != d {
			next = append(next, x)
		}
	}
	t.downs.Store(&next)
	t.downMu.Unlock()
}

// DownTracks returns the current down-tracks (for figures and tests).
func (t *Track) DownTracks() []*DownTrack { return *t.downs.Load() }

// close stops the PLI goroutine. The reader ends when the publisher's
// connection closes.
func (t *Track) close() {
	t.closeOnce.Do(func() { close(t.done) })
}
