package sfu

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"

	"github.com/pion/webrtc/v4"
)

// ParticipantConfig describes a participant joining a room.
type ParticipantConfig struct {
	ID        string
	Publish   bool // may send media
	Subscribe bool // receives the room's media
	Listener  Listener
	// Priority ranks the participant's video in every subscriber's
	// bandwidth allocation: higher goes first (the teacher's camera
	// before students on stage). A screen share outranks any camera.
	Priority int
	// Relay makes a subscriber the relay of an edge node (relay.go): it
	// receives every simulcast layer of each video as its own stream.
	Relay bool
}

// Participant is one member of a room, with up to two PeerConnections.
type Participant struct {
	id   string
	room *Room
	cfg  ParticipantConfig
	log  *slog.Logger

	mu      sync.Mutex // guards everything below
	pub     *webrtc.PeerConnection
	sources map[string]Source // client track id → source, of the tracks the offer in force sends (applied)
	// shownAs: client track id → the participant a relayed track is
	// shown as (PublishRelayed); empty for a participant's own tracks.
	shownAs map[string]string
	// relayed: client track id → the relayed track's id on the origin, for
	// the streams of a relay (PublishRelayed): their layers are gathered
	// into one Track.
	relayed map[string]string
	tracks  map[string]*Track // published, by server track id
	byRecv  map[*webrtc.RTPReceiver]*Track
	simSSRC map[uint32]int // SSRC → layer, from the offer in force's a=ssrc-group:SIM
	tagged  []uint32       // SSRCs the SFU's ridTagger learnt from the offer in force
	sub     *subscriber
	player  *player // a WHEP viewer's connection
	closed  bool
	publish bool            // may publish (can change while on stage)
	muted   map[Source]bool // sources a moderator stopped at the server

	// drains: the publishing connections' RTCP drains (onTrack), added
	// to under mu while open, waited for by Close.
	drains sync.WaitGroup
}

func newParticipant(r *Room, cfg ParticipantConfig) *Participant {
	if cfg.Listener == nil {
		cfg.Listener = NopListener{}
	}
	return &Participant{
		id: cfg.ID, room: r, cfg: cfg, publish: cfg.Publish,
		log:     r.sfu.log.With("room", r.id, "participant", cfg.ID),
		sources: map[string]Source{}, shownAs: map[string]string{}, relayed: map[string]string{}, tracks: map[string]*Track{},
		byRecv: map[*webrtc.RTPReceiver]*Track{}, simSSRC: map[uint32]int{}, muted: map[Source]bool{},
	}
}

// ID returns the participant's id.
func (p *Participant) ID() string { return p.id }

// Room returns the participant's room.
func (p *Participant) Room() *Room { return p.room }

// SetPublish grants or revokes the right to publish. Revoking it stops every
// track the participant publishes at once and closes its publishing
// connection.
func (p *Participant) SetPublish(allowed bool) {
	p.mu.Lock()
	p.publish = allowed
	var pc *webrtc.PeerConnection
	var tracks []*Track
	if !allowed {
		pc, p.pub = p.pub, nil
		for _, t := range p.tracks {
			tracks = append(tracks, t)
		}
		p.tracks = map[string]*Track{}
		p.byRecv = map[*webrtc.RTPReceiver]*Track{}
	}
	p.mu.Unlock()
	for _, t := range tracks {
		p.room.removeTrack(t)
	}
	if pc != nil {
		_ = pc.Close()
	}
	for _, t := range tracks {
		t.wg.Wait()
	}
}

// SetSourceMuted stops (or resumes) forwarding every track of one source
// that the participant publishes, now and when published later. It is how
// a moderator's mute is enforced without relying on the client.
func (p *Participant) SetSourceMuted(src Source, muted bool) {
	p.mu.Lock()
	p.muted[src] = muted
	var tracks []*Track
	for _, t := range p.tracks {
		if t.source == src {
			tracks = append(tracks, t)
		}
	}
	p.mu.Unlock()
	for _, t := range tracks {
		t.SetForwarding(!muted)
	}
}

func (p *Participant) sourceMuted(src Source) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.muted[src]
}

// CanPublish reports whether the participant may publish now.
func (p *Participant) CanPublish() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.publish
}

// Tracks returns the tracks this participant publishes.
func (p *Participant) Tracks() []*Track {
	p.mu.Lock()
	defer p.mu.Unlock()
	return values(p.tracks)
}

func (p *Participant) forgetTrack(t *Track) {
	p.mu.Lock()
	if p.tracks[t.id] == t {
		delete(p.tracks, t.id)
	}
	for r, x := range p.byRecv {
		if x == t {
			delete(p.byRecv, r)
		}
	}
	p.mu.Unlock()
}

// owns reports whether p is open and still publishes t. The room calls it
// with its own lock held (room before participant, as in removeTrack).
func (p *Participant) owns(t *Track) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.closed && p.tracks[t.id] == t
}

func (p *Participant) publishPC() *webrtc.PeerConnection {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pub
}

// subscribe starts sending t to this participant.
func (p *Participant) subscribe(t *Track) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	if p.sub == nil {
		s, err := newSubscriber(p)
		if err != nil {
			p.mu.Unlock()
			p.log.Error("subscribe connection", "err", err)
			return
		}
		p.sub = s
	}
	s := p.sub
	p.mu.Unlock()
	s.add(t)
}

func (p *Participant) unsubscribe(t *Track) {
	p.mu.Lock()
	s := p.sub
	p.mu.Unlock()
	if s != nil {
		s.remove(t)
	}
}

// SetSubscribeAnswer applies the client's answer to the last subscribe
// offer.
func (p *Participant) SetSubscribeAnswer(sdp string) error {
	p.mu.Lock()
	s := p.sub
	p.mu.Unlock()
	if s == nil {
		return ErrNoOffer
	}
	return s.setAnswer(sdp)
}

// AddICECandidate adds a client candidate to one of the connections.
func (p *Participant) AddICECandidate(target Target, c webrtc.ICECandidateInit) error {
	p.mu.Lock()
	var err error
	switch target {
	case TargetPublish:
		if p.pub == nil {
			err = ErrNotPublishing
		} else {
			err = p.pub.AddICECandidate(c)
		}
	case TargetSubscribe:
		if p.sub == nil && p.player != nil {
			err = p.player.pc.AddICECandidate(c)
		} else if p.sub == nil {
			err = ErrNotSubscribing
		} else {
			err = p.sub.addCandidate(c)
		}
	default:
		err = ErrBadCandidate
	}
	p.mu.Unlock()
	if err != nil && err != ErrNotPublishing && err != ErrNotSubscribing {
		return ErrBadCandidate
	}
	return err
}

// RequestKeyframe asks the publisher of a track this participant receives
// for a keyframe.
func (p *Participant) RequestKeyframe(trackID string) error {
	p.mu.Lock()
	s := p.sub
	p.mu.Unlock()
	if s == nil {
		return ErrUnknownTrack
	}
	s.mu.Lock()
	sub := s.downs[trackID]
	s.mu.Unlock()
	if sub == nil {
		return ErrUnknownTrack
	}
	sub.down.requestKeyframe()
	return nil
}

// Close leaves the room: both connections are closed, every published track
// stops and the goroutines that served them are waited for. Safe to call
// more than once.
func (p *Participant) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.room.sfu.tags.forget(p, p.tagged)
	p.tagged = nil
	pub, sub, pl := p.pub, p.sub, p.player
	p.pub, p.sub, p.player = nil, nil, nil
	tracks := values(p.tracks)
	p.tracks = map[string]*Track{}
	p.byRecv = map[*webrtc.RTPReceiver]*Track{}
	p.mu.Unlock()
	p.room.leave(p)
	for _, t := range tracks {
		p.room.removeTrack(t)
	}
	if pub != nil {
		_ = pub.Close()
	}
	if sub != nil {
		sub.close()
	}
	if pl != nil {
		p.room.removePlayer(pl)
		pl.close()
	}
	for _, t := range tracks {
		t.wg.Wait()
	}
	// Every receiver has stopped with its connection (this one, or one
	// SetPublish(false) closed), and with it its drain.
	p.drains.Wait()
}

// closeReplaced closes a participant superseded by a newer join.
func (p *Participant) closeReplaced() { p.Close() }

func randomID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
