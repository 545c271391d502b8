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

// controlInterval is how often a track measures its layers' bitrates and
// reconsiders which layers the publisher should send.
const controlInterval = 500 * time.Millisecond

// Track is one published track: up to three simulcast layers, each with
// its own reader goroutine, forwarding to the track's down-tracks.
type Track struct {
	id       string
	clientID string // the publisher's own track id (a=msid)
	owner    *Participant
	shownAs  string // the participant a relayed track is shown as ("": owner)
	relayOf  string // a relayed track's id on the origin ("": not relayed)
	kind     webrtc.RTPCodecType
	source   Source
	codec    webrtc.RTPCodecParameters
	ck       codecKind

	layers  [maxLayers]atomic.Pointer[layer]
	top     atomic.Int32 // highest layer index with a reader, -1 before the first
	readers atomic.Int32 // running layer readers
	started atomic.Bool

	audioLevelID uint8         // negotiated id of the RFC 6464 extension, 0 if none
	levelSum     atomic.Uint64 // sum of (127 - level) since the room last looked
	levelN       atomic.Uint64 // packets counted in levelSum

	// downs is replaced, never mutated, so that the readers read it
	// without a lock.
	downs  atomic.Pointer[[]*DownTrack]
	downMu sync.Mutex // serialises replacements of downs

	forwarding atomic.Bool   // false while muted at the server
	pliWant    atomic.Uint32 // bit i: layer i wants a keyframe
	pli        chan struct{}

	// dynacast: layers the publisher has been told to send (bit i: layer
	// i). Written by the control goroutine only.
	active      atomic.Uint32
	unusedSince [maxLayers]int64

	closeOnce sync.Once
	done      chan struct{} // closed by close
	wg        sync.WaitGroup

	packets atomic.Uint64 // packets read from the publisher

	fan fanout    // batches the sends of one packet's fan-out
	ctr *counters // its SFU's figures; nil: unowned
}

func newTrack(id string, owner *Participant, source Source, remote *webrtc.TrackRemote) *Track {
	t := &Track{
		id: id, clientID: remote.ID(), owner: owner, kind: remote.Kind(), source: source,
		codec: remote.Codec(), ck: kindOfCodec(remote.Codec().MimeType),
		pli: make(chan struct{}, 1), done: make(chan struct{}),
		fan: fanout{owner.room.sfu.batch}, ctr: &owner.room.sfu.ctr,
	}
	t.downs.Store(&[]*DownTrack{})
	t.forwarding.Store(true)
	t.top.Store(-1)
	t.active.Store(1<<maxLayers - 1)
	return t
}

// addLayer attaches one more encoding of the track; it returns nil when the
// track already has that layer or all three. Its reader starts with the
// track (or at once if the track has started).
func (t *Track) addLayer(remote *webrtc.TrackRemote, index int) *layer {
	if index < 0 || index >= maxLayers {
		return nil
	}
	l := &layer{index: index, rid: remote.RID(), ssrc: uint32(remote.SSRC()), remote: remote}
	if !t.layers[index].CompareAndSwap(nil, l) {
		return nil
	}
	for {
		top := t.top.Load()
		if int32(index) <= top || t.top.CompareAndSwap(top, int32(index)) {
			break
		}
	}
	if t.started.Load() {
		t.startLayer(l)
		// A layer arriving late may be what a down-track waits for.
		t.RequestKeyframe()
	}
	return l
}

// layerTaken reports whether layer i exists.
func (t *Track) layerTaken(i int) bool { return t.layers[i].Load() != nil }

// Simulcast reports whether the publisher sends more than one encoding.
func (t *Track) Simulcast() bool { return t.top.Load() > 0 }

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
	return TrackInfo{ID: t.id, ParticipantID: t.shownID(), Kind: t.kind.String(), Source: t.source}
}

// shownID is the participant id subscribers see as the track's: its
// owner's, or for a relayed track the origin's publisher.
func (t *Track) shownID() string {
	if t.shownAs != "" {
		return t.shownAs
	}
	return t.owner.id
}

// LayerInfo describes one simulcast layer as the SFU sees it.
type LayerInfo struct {
	Index   int    `json:"index"`
	RID     string `json:"rid,omitempty"`
	Bitrate int    `json:"bitrate"` // measured, bits per second
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Active  bool   `json:"active"` // the publisher has been asked to send it
}

// Layers describes the track's layers, lowest first.
func (t *Track) Layers() []LayerInfo {
	var out []LayerInfo
	act := t.active.Load()
	for i := range t.layers {
		if l := t.layers[i].Load(); l != nil {
			out = append(out, LayerInfo{Index: i, RID: l.rid, Bitrate: int(l.rate.Load()),
				Width: int(l.width.Load()), Height: int(l.height.Load()), Active: act&(1<<i) != 0})
		}
	}
	return out
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
	t.started.Store(true)
	t.wg.Add(1)
	go t.controlLoop()
	for i := range t.layers {
		if l := t.layers[i].Load(); l != nil {
			t.startLayer(l)
		}
	}
}

// startLayer starts l's reader once: start and a late addLayer may both
// find it.
func (t *Track) startLayer(l *layer) {
	if !l.running.CompareAndSwap(false, true) {
		return
	}
	t.readers.Add(1)
	t.wg.Add(1)
	go t.readLoop(l)
}

// readLoop is one layer's reader: one reused buffer, one reused rtp.Packet
// and one reused scratch header for all down-tracks. The track ends when
// its last reader does.
func (t *Track) readLoop(l *layer) {
	defer t.wg.Done()
	defer l.cache.release()
	defer func() {
		if t.readers.Add(-1) == 0 {
			t.owner.room.removeTrack(t)
		}
	}()
	buf := make([]byte, receiveMTU)
	var pkt rtp.Packet
	var scratch rtp.Header
	for {
		n, _, err := l.remote.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		t.packets.Add(1)
		l.packets.Add(1)
		l.bytes.Add(uint64(n))
		t.forward(l, &pkt, &scratch, time.Now().UnixNano())
	}
}

// forward hands one packet of layer l to every down-track. It is the
// per-packet hot path and must not allocate.
func (t *Track) forward(l *layer, pkt *rtp.Packet, scratch *rtp.Header, now int64) {
	if !t.forwarding.Load() {
		return
	}
	t.fan.begin()
	defer t.fan.end()
	downs := *t.downs.Load()
	if len(pkt.Payload) == 0 {
		// Padding only: keep the subscribers' numbering gapless.
		for _, d := range downs {
			d.skip(l.index, pkt)
		}
		return
	}
	var kf bool
	switch t.kind {
	case webrtc.RTPCodecTypeAudio:
		kf = true
		if t.audioLevelID != 0 {
			if ext := pkt.Header.GetExtension(t.audioLevelID); len(ext) > 0 {
				t.levelSum.Add(uint64(127 - ext[0]&0x7f))
				t.levelN.Add(1)
			}
		}
	default:
		kf = isKeyframeStart(t.ck, pkt.Payload)
		if kf && t.ck == codecVP8 {
			if w, h := vp8KeyframeSize(pkt.Payload); w > 0 {
				l.width.Store(int32(w))
				l.height.Store(int32(h))
			}
		}
		l.fwd.Lock()
		defer l.fwd.Unlock()
		l.cache.put(pkt, kf)
	}
	for _, d := range downs {
		d.writeRTP(l.index, pkt, scratch, kf, now)
	}
}

// RequestKeyframe asks the publisher for a keyframe on every layer, each at
// most once per Config.PLIInterval. It never blocks.
func (t *Track) RequestKeyframe() {
	t.requestKeyframe(1<<maxLayers - 1)
}

// requestLayerKeyframe asks for a keyframe of one layer. It never blocks and
// never allocates: it is called on the forwarding path.
func (t *Track) requestLayerKeyframe(i int) {
	if i >= 0 && i < maxLayers {
		t.requestKeyframe(1 << i)
	}
}

func (t *Track) requestKeyframe(mask uint32) {
	if t.kind != webrtc.RTPCodecTypeVideo {
		return
	}
	if t.pliWant.Load()&mask == mask {
		return
	}
	t.pliWant.Or(mask)
	select {
	case t.pli <- struct{}{}:
	default:
	}
}

// controlLoop sends rate-limited PLIs, measures the layers' bitrates and
// runs dynacast.
func (t *Track) controlLoop() {
	defer t.wg.Done()
	interval := t.owner.room.sfu.cfg.PLIInterval
	tick := time.NewTicker(controlInterval)
	defer tick.Stop()
	retry := time.NewTimer(time.Hour)
	defer retry.Stop()
	for {
		select {
		case <-t.done:
			return
		case <-t.pli:
		case <-retry.C:
		case now := <-tick.C:
			for i := range t.layers {
				if l := t.layers[i].Load(); l != nil {
					l.sample(now.UnixNano())
				}
			}
			t.dynacast(now.UnixNano())
		}
		if wait := t.sendPLIs(interval); wait > 0 {
			retry.Reset(wait)
		}
	}
}

// sendPLIs sends the wanted keyframe requests whose interval is up and
// returns how long until the next one may go (0: none pending).
func (t *Track) sendPLIs(interval time.Duration) time.Duration {
	want := t.pliWant.Load()
	if want == 0 {
		return 0
	}
	now := time.Now().UnixNano()
	var next time.Duration
	var pkts []rtcp.Packet
	for i := range t.layers {
		if want&(1<<i) == 0 {
			continue
		}
		l := t.layers[i].Load()
		if l == nil {
			t.pliWant.And(^uint32(1 << i))
			continue
		}
		if last := l.lastPLI.Load(); last != 0 && time.Duration(now-last) < interval {
			if w := interval - time.Duration(now-last); next == 0 || w < next {
				next = w
			}
			continue
		}
		t.pliWant.And(^uint32(1 << i))
		l.lastPLI.Store(now)
		pkts = append(pkts, &rtcp.PictureLossIndication{MediaSSRC: l.ssrc})
	}
	if len(pkts) > 0 {
		ctrOf(t.ctr).plis.Add(uint64(len(pkts)))
		if pc := t.owner.publishPC(); pc != nil {
			_ = pc.WriteRTCP(pkts)
		}
	}
	return next
}

func (t *Track) addDown(d *DownTrack) {
	t.downMu.Lock()
	old := *t.downs.Load()
	next := make([]*DownTrack, len(old), len(old)+1)
	copy(next, old)
	next = append(next, d)
	t.downs.Store(&next)
	t.downMu.Unlock()
	// d asks for the keyframe of its own layer once it is bound and
	// connected, and on every packet it has to drop while it waits.
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

// close stops the control goroutine. The readers end when the publisher's
// connection closes.
func (t *Track) close() {
	t.closeOnce.Do(func() { close(t.done) })
}

// closed reports whether close was called.
func (t *Track) closed() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}
