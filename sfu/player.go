package sfu

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/pion/webrtc/v4"
)

// player is a WHEP viewer: the client offers, and the server fills the
// offer's receive-only sections with the room's main video and sound,
// following them as tracks come and go.
type player struct {
	p         *Participant
	pc        *webrtc.PeerConnection
	video     *DownTrack
	audio     *DownTrack
	connected atomic.Bool
	resends   resendLimiter // no estimate: a fixed rate

	mu     sync.Mutex // guards closed; held while the down-tracks change source
	closed bool
}

// Play answers a WHEP offer. The player receives the room's main video (a
// screen share while one is live, otherwise a camera) and the microphone of
// that video's publisher.
func (p *Participant) Play(offer string) (string, error) {
	routes := newRTCPRoutes(nil, nil, &p.room.sfu.ctr)
	api, err := newSubscriberAPI(p.room.sfu.se, false, routes)
	if err != nil {
		return "", err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return "", err
	}
	pl := &player{p: p, pc: pc}
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if pl.connected.Swap(st == webrtc.PeerConnectionStateConnected) != pl.connected.Load() && pl.connected.Load() {
			pl.restart()
		}
		p.cfg.Listener.ConnectionState(TargetSubscribe, st)
	})
	pc.OnTrack(func(_ *webrtc.TrackRemote, r *webrtc.RTPReceiver) { _ = r.Stop() })

	video, _ := p.room.mainTracks()
	vcodec := codecs[1].params // VP8
	if video != nil {
		vcodec = video.codec
	}
	ctr := &p.room.sfu.ctr
	pl.video = newPlayerDownTrack("video", p.room.id, webrtc.RTPCodecTypeVideo, vcodec, &pl.connected, ctr)
	pl.audio = newPlayerDownTrack("audio", p.room.id, webrtc.RTPCodecTypeAudio, codecs[0].params, &pl.connected, ctr)
	for _, d := range []*DownTrack{pl.video, pl.audio} {
		d.limit, d.routes = &pl.resends, routes
		if _, err := pc.AddTrack(d); err != nil {
			_ = pc.Close()
			return "", err
		}
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		pl.close()
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		pl.close()
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		pl.close()
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	<-gathered
	if h := p.room.sfu.hooks.beforePlayerRegistered; h != nil {
		h(p)
	}
	if !p.room.addPlayer(pl) {
		pl.close()
		return "", ErrClosed
	}
	p.room.followOne(pl)
	return pc.LocalDescription().SDP, nil
}

// follow points the player at the given tracks, unless it has closed.
func (pl *player) follow(video, audio *Track) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.closed {
		return
	}
	if !pl.video.switchTo(video) {
		pl.video.switchTo(nil) // a codec the player was not negotiated for
	}
	pl.audio.switchTo(audio)
}

func (pl *player) restart() {
	for _, d := range []*DownTrack{pl.video, pl.audio} {
		d.resync(d.kind == webrtc.RTPCodecTypeVideo)
		d.requestKeyframe()
	}
	pl.video.startFromCache()
}

func (pl *player) close() {
	pl.mu.Lock()
	pl.closed = true
	pl.video.switchTo(nil)
	pl.audio.switchTo(nil)
	pl.mu.Unlock()
	_ = pl.pc.Close()
}

// mainTracks picks what a player shows: a screen share first, then a
// camera; and the microphone of the same publisher, else any.
func (r *Room) mainTracks() (video, audio *Track) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range r.tracks {
		switch {
		case t.source == SourceScreen:
			video = t
		case t.source == SourceCamera && (video == nil || video.source != SourceScreen):
			video = t
		}
	}
	for _, t := range r.tracks {
		if t.source != SourceMicrophone {
			continue
		}
		if audio == nil || (video != nil && t.owner == video.owner) {
			audio = t
		}
	}
	return video, audio
}

// addPlayer registers pl as its participant's player and the room's,
// unless the room or the participant has closed or already has a player:
// both checks and both registrations happen under the room's lock and
// then the participant's (the order removeTrack takes them in), so a
// Close either finds the player to close or makes this fail.
func (r *Room) addPlayer(pl *player) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := pl.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.closed || p.closed || p.player != nil {
		return false
	}
	p.player = pl
	r.players[pl] = struct{}{}
	return true
}

func (r *Room) removePlayer(pl *player) {
	r.mu.Lock()
	delete(r.players, pl)
	r.mu.Unlock()
}

// followOne points a new player at the room's current main tracks.
func (r *Room) followOne(pl *player) {
	r.followMu.Lock()
	defer r.followMu.Unlock()
	pl.follow(r.mainTracks())
}

// refollow re-points every player after tracks came or went. Refollows are
// serialised, so that an older choice never lands after a newer one.
func (r *Room) refollow() {
	r.followMu.Lock()
	defer r.followMu.Unlock()
	r.mu.Lock()
	pls := make([]*player, 0, len(r.players))
	for pl := range r.players {
		pls = append(pls, pl)
	}
	r.mu.Unlock()
	if len(pls) == 0 {
		return
	}
	video, audio := r.mainTracks()
	for _, pl := range pls {
		pl.follow(video, audio)
	}
}
