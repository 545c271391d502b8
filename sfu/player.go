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
	wg        sync.WaitGroup
}

// Play answers a WHEP offer. The player receives the room's main video (a
// screen share while one is live, otherwise a camera) and the microphone of
// that video's publisher.
func (p *Participant) Play(offer string) (string, error) {
	api, err := newSubscriberAPI(p.room.sfu.se)
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

	video, audio := p.room.mainTracks()
	vcodec := codecs[1].params // VP8
	if video != nil {
		vcodec = video.codec
	}
	pl.video = newPlayerDownTrack("video", p.room.id, webrtc.RTPCodecTypeVideo, vcodec, &pl.connected)
	pl.audio = newPlayerDownTrack("audio", p.room.id, webrtc.RTPCodecTypeAudio, codecs[0].params, &pl.connected)
	for _, d := range []*DownTrack{pl.video, pl.audio} {
		sender, err := pc.AddTrack(d)
		if err != nil {
			_ = pc.Close()
			return "", err
		}
		pl.wg.Add(1)
		go func() {
			defer pl.wg.Done()
			d.readRTCP(sender, nil)
		}()
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
	p.mu.Lock()
	if p.closed || p.player != nil {
		p.mu.Unlock()
		pl.close()
		return "", ErrClosed
	}
	p.player = pl
	p.mu.Unlock()
	p.room.addPlayer(pl)
	pl.follow(video, audio)
	return pc.LocalDescription().SDP, nil
}

// follow points the player at the room's current main tracks.
func (pl *player) follow(video, audio *Track) {
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
}

func (pl *player) close() {
	pl.video.switchTo(nil)
	pl.audio.switchTo(nil)
	_ = pl.pc.Close()
	pl.wg.Wait()
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

func (r *Room) addPlayer(pl *player) {
	r.mu.Lock()
	r.players[pl] = struct{}{}
	r.mu.Unlock()
}

func (r *Room) removePlayer(pl *player) {
	r.mu.Lock()
	delete(r.players, pl)
	r.mu.Unlock()
}

// refollow re-points every player after tracks came or went.
func (r *Room) refollow() {
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
