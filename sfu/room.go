package sfu

import (
	"sync"
)

// Room is one lesson's media: its participants and their published tracks.
// It closes itself when its last participant leaves.
type Room struct {
	id  string
	sfu *SFU

	mu           sync.Mutex // guards participants, tracks and closed
	participants map[string]*Participant
	tracks       map[string]*Track
	players      map[*player]struct{}
	closed       bool

	followMu sync.Mutex // serialises the players' choice of tracks (refollow)

	done     chan struct{} // closed by stop
	stopOnce sync.Once
	wg       sync.WaitGroup // speakerLoop
}

func newRoom(s *SFU, id string) *Room {
	r := &Room{id: id, sfu: s, participants: map[string]*Participant{}, tracks: map[string]*Track{},
		players: map[*player]struct{}{}, done: make(chan struct{})}
	r.wg.Add(1)
	go r.speakerLoop()
	return r
}

// stop ends the room's goroutines and waits for them.
func (r *Room) stop() {
	r.stopOnce.Do(func() { close(r.done) })
	r.wg.Wait()
}

// ID returns the room's id.
func (r *Room) ID() string { return r.id }

func (r *Room) join(cfg ParticipantConfig) (*Participant, error) {
	p := newParticipant(r, cfg)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		// The room closed between lookup and join: start a new one.
		return r.sfu.Join(r.id, cfg)
	}
	old := r.participants[cfg.ID]
	r.participants[cfg.ID] = p
	r.mu.Unlock()
	if old != nil {
		old.closeReplaced()
	}
	if cfg.Subscribe {
		for _, t := range r.Tracks() {
			if t.owner != p {
				p.subscribe(t)
			}
		}
	}
	return p, nil
}

// leave removes p; the room closes when it was the last one.
func (r *Room) leave(p *Participant) {
	r.mu.Lock()
	if r.participants[p.id] == p {
		delete(r.participants, p.id)
	}
	empty := len(r.participants) == 0 && !r.closed
	if empty {
		r.closed = true
	}
	r.mu.Unlock()
	if empty {
		r.sfu.removeRoom(r)
		r.stop()
	}
}

// Participants returns the room's participants.
func (r *Room) Participants() []*Participant {
	r.mu.Lock()
	defer r.mu.Unlock()
	return values(r.participants)
}

// values returns a map's values; callers hold the lock that guards m.
func values[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Participant returns the participant with that id, or nil.
func (r *Room) Participant(id string) *Participant {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.participants[id]
}

// Tracks returns the tracks published in the room.
func (r *Room) Tracks() []*Track {
	r.mu.Lock()
	defer r.mu.Unlock()
	return values(r.tracks)
}

// Track returns the published track with that id, or nil.
func (r *Room) Track(id string) *Track {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tracks[id]
}

// addTrack registers t, starts its goroutines and publishes it to every
// other participant. It returns false, starting nothing, when the room has
// closed or t's publisher has left or unpublished it meanwhile; the check
// and the start happen under the room's lock, which removeTrack takes too,
// so a track is either stopped by removeTrack or never started.
func (r *Room) addTrack(t *Track) bool {
	if t.owner.sourceMuted(t.source) {
		t.forwarding.Store(false)
	}
	r.mu.Lock()
	if r.closed || !t.owner.owns(t) {
		r.mu.Unlock()
		return false
	}
	r.tracks[t.id] = t
	t.start()
	ps := values(r.participants)
	r.mu.Unlock()
	info := t.Info()
	for _, p := range ps {
		if p == t.owner {
			continue
		}
		if p.cfg.Subscribe {
			p.subscribe(t)
		}
		p.cfg.Listener.TrackPublished(info)
	}
	r.refollow()
	return true
}

// removeTrack stops t and tells every participant.
func (r *Room) removeTrack(t *Track) {
	r.mu.Lock()
	if r.tracks[t.id] != t {
		r.mu.Unlock()
		return
	}
	delete(r.tracks, t.id)
	t.owner.forgetTrack(t)
	ps := values(r.participants)
	r.mu.Unlock()
	// Closed before anyone is unsubscribed: a subscribe still under way
	// from addTrack then sees it closed and adds nothing.
	t.close()
	info := t.Info()
	for _, p := range ps {
		if p == t.owner {
			continue
		}
		p.unsubscribe(t)
		p.cfg.Listener.TrackUnpublished(info)
	}
	r.refollow()
}

// Close disconnects every participant.
func (r *Room) Close() {
	for _, p := range r.Participants() {
		p.Close()
	}
	r.sfu.removeRoom(r)
	r.stop()
}
