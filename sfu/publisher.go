package sfu

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/webrtc/v4"
)

// PublishRelayed is Publish for a relay of another node's room (package
// cluster/cascade): tracks maps the offer's track ids to the origin's
// descriptions, whose source is kept and whose participant id subscribers
// are shown in place of the relay's.
//
// Every offer of a relay lists each stream it carries now, so the ids of
// streams it no longer lists (their tracks ended on the origin) are
// forgotten here: a long lesson whose teacher turns the camera or the
// screen share on and off many times keeps only the current ones.
func (p *Participant) PublishRelayed(offerSDP string, tracks map[string]TrackInfo) (string, error) {
	sources := make(map[string]Source, len(tracks))
	p.mu.Lock()
	for id := range p.relayed {
		if _, ok := tracks[id]; !ok {
			delete(p.relayed, id)
			delete(p.shownAs, id)
			delete(p.sources, id)
		}
	}
	for id, t := range tracks {
		sources[id] = t.Source
		if t.ParticipantID != "" {
			p.shownAs[id] = t.ParticipantID
		}
		p.relayed[id], _ = parseRelayLayer(id)
	}
	p.mu.Unlock()
	return p.Publish(offerSDP, sources)
}

// Publish applies a publisher's offer on the publishing connection and
// returns the answer. sources maps the offer's track ids (a=msid) to what
// they carry; unnamed tracks are microphone (audio) or camera (video).
// Candidates trickle through the Listener.
func (p *Participant) Publish(offerSDP string, sources map[string]Source) (string, error) {
	for _, s := range sources {
		if !s.Valid() {
			return "", fmt.Errorf("%w: unknown source %q", ErrBadSDP, s)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return "", ErrClosed
	}
	if !p.publish {
		return "", ErrForbidden
	}
	for id, s := range sources {
		p.sources[id] = s
	}
	p.tagged = append(p.tagged, p.room.sfu.tags.learn(offerSDP)...)
	for ssrc, i := range simulcastSSRCs(offerSDP) {
		p.simSSRC[ssrc] = i
	}
	fresh := p.pub == nil
	if fresh {
		pc, err := p.newPublishPC()
		if err != nil {
			return "", err
		}
		p.pub = pc
	}
	pc := p.pub
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offerSDP}); err != nil {
		if fresh {
			// A first offer that does not apply leaves nothing behind.
			p.pub = nil
			_ = pc.Close()
		}
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	// Host candidates only: gathering takes milliseconds, and an answer
	// that carries every candidate spares clients a race between the
	// answer and the server's trickled candidates.
	<-gathered
	return pc.LocalDescription().SDP, nil
}

func (p *Participant) newPublishPC() (*webrtc.PeerConnection, error) {
	pc, err := p.room.sfu.pubAPI.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		p.cfg.Listener.ConnectionState(TargetPublish, s)
	})
	pc.OnTrack(func(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		p.onTrack(pc, remote, recv)
	})
	return pc, nil
}

// onTrack attaches a track Pion reports. With simulcast Pion reports each
// encoding separately, all on one receiver: by RID (rid q, h, f), or by
// SSRC for a publisher that declares a=ssrc-group:SIM and sends no RID.
// They become the layers of one Track.
func (p *Participant) onTrack(pc *webrtc.PeerConnection, remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	p.mu.Lock()
	if p.closed || p.pub != pc || !p.publish {
		p.mu.Unlock()
		return
	}
	t := p.byRecv[recv]
	if t != nil && p.tracks[t.id] != t {
		// Unpublished while its other layers were arriving.
		p.mu.Unlock()
		return
	}
	simIndex, bySSRC := p.simSSRC[uint32(remote.SSRC())]
	if t == nil && bySSRC {
		for _, x := range p.tracks {
			if x.clientID == remote.ID() && x.kind == remote.Kind() {
				t = x
				break
			}
		}
	}
	// A relay's streams: each is one layer of the origin's track.
	relayOf, relayed := p.relayed[remote.ID()]
	_, relayIndex := parseRelayLayer(remote.ID())
	if t == nil && relayed {
		for _, x := range p.tracks {
			if x.relayOf == relayOf && x.kind == remote.Kind() {
				t = x
				break
			}
		}
	}
	fresh := t == nil
	if fresh {
		source, ok := p.sources[remote.ID()]
		if !ok {
			source = SourceCamera
			if remote.Kind() == webrtc.RTPCodecTypeAudio {
				source = SourceMicrophone
			}
		}
		t = newTrack(randomID("t_"), p, source, remote)
		t.shownAs = p.shownAs[remote.ID()]
		if relayed {
			t.relayOf = relayOf
		}
		t.audioLevelID = extensionID(recv, extAudioLevel)
		p.tracks[t.id] = t
		p.byRecv[recv] = t
	}
	index := 0
	switch {
	case remote.RID() != "":
		index = layerIndex(remote.RID(), t.layerTaken)
	case bySSRC:
		index = simIndex
	case relayed:
		index = relayIndex
		p.byRecv[recv] = t
	}
	l := t.addLayer(remote, index)
	p.mu.Unlock()
	if l == nil {
		p.log.Warn("extra encoding ignored", "track", t.id, "rid", remote.RID(), "ssrc", remote.SSRC())
		return
	}
	if remote.RID() != "" {
		go drainSimulcastRTCP(recv, remote.RID())
	} else {
		go drainRTCP(recv)
	}
	if !fresh {
		p.log.Info("layer published", "track", t.id, "rid", remote.RID(), "layer", index)
		p.room.relayLayer(t)
		return
	}
	if h := p.room.sfu.hooks.beforeTrackRegistered; h != nil {
		h(p)
	}
	// The track's goroutines start only once it is registered in the room,
	// under the room's lock and only while its publisher still owns it: a
	// Close, SetPublish(false) or Unpublish that ran since the lock above
	// was released finds nothing to stop, so nothing may start.
	if !p.room.addTrack(t) {
		t.close()
		p.log.Info("track dropped: unpublished before it started", "track", t.id)
		return
	}
	p.log.Info("track published", "track", t.id, "source", t.source, "codec", t.codec.MimeType, "rid", remote.RID(), "layer", index)
}

// extensionID returns the id negotiated for a header extension, 0 if none.
func extensionID(recv *webrtc.RTPReceiver, uri string) uint8 {
	for _, e := range recv.GetParameters().HeaderExtensions {
		if e.URI == uri {
			return uint8(e.ID)
		}
	}
	return 0
}

// simulcastSSRCs maps the SSRCs of every a=ssrc-group:SIM line of an SDP
// to their layer, lowest first (RFC 5576 §4.2; the order Chrome uses).
func simulcastSSRCs(sdp string) map[uint32]int {
	var m map[uint32]int
	for _, line := range strings.Split(sdp, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "a=ssrc-group:SIM ")
		if !ok {
			continue
		}
		for i, f := range strings.Fields(rest) {
			n, err := strconv.ParseUint(f, 10, 32)
			if err != nil || i >= maxLayers {
				break
			}
			if m == nil {
				m = map[uint32]int{}
			}
			m[uint32(n)] = i
		}
	}
	return m
}

// Unpublish stops forwarding one of the participant's tracks at once.
func (p *Participant) Unpublish(trackID string) error {
	p.mu.Lock()
	t := p.tracks[trackID]
	if t == nil {
		// The client knows its tracks by their own ids.
		for _, x := range p.tracks {
			if x.clientID == trackID {
				t = x
				break
			}
		}
	}
	if t != nil {
		delete(p.tracks, t.id)
	}
	p.mu.Unlock()
	if t == nil {
		return ErrUnknownTrack
	}
	p.room.removeTrack(t)
	return nil
}

// drainRTCP reads a receiver's RTCP so that its interceptors run.
func drainRTCP(r *webrtc.RTPReceiver) {
	buf := make([]byte, receiveMTU)
	for {
		if _, _, err := r.Read(buf); err != nil {
			return
		}
	}
}

// drainSimulcastRTCP reads the RTCP of one encoding of a receiver.
func drainSimulcastRTCP(r *webrtc.RTPReceiver, rid string) {
	for {
		if _, _, err := r.ReadSimulcastRTCP(rid); err != nil {
			return
		}
	}
}
