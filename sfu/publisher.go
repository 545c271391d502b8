package sfu

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// PublishRelayed is Publish for a relay of another node's room (package
// cluster/cascade): tracks maps the offer's track ids to the origin's
// descriptions, whose source is kept and whose participant id subscribers
// are shown in place of the relay's.
//
// Every offer of a relay lists each stream it carries now, so the ids of
// streams it no longer lists (their tracks ended on the origin) are
// forgotten once the offer applies (a refused one changes nothing): a
// long lesson whose teacher turns the camera or the screen share on and
// off many times keeps only the current ones.
func (p *Participant) PublishRelayed(offerSDP string, tracks map[string]TrackInfo) (string, error) {
	if tracks == nil {
		tracks = map[string]TrackInfo{} // an offer of no stream: every id goes
	}
	sources := make(map[string]Source, len(tracks))
	for id, t := range tracks {
		sources[id] = t.Source
	}
	return p.publishOffer(offerSDP, sources, tracks)
}

// Publish applies a publisher's offer on the publishing connection and
// returns the answer. sources maps the offer's track ids (a=msid) to what
// they carry; unnamed tracks are microphone (audio) or camera (video).
// What earlier offers taught about tracks this one no longer sends is
// forgotten (applied). Candidates trickle through the Listener.
func (p *Participant) Publish(offerSDP string, sources map[string]Source) (string, error) {
	return p.publishOffer(offerSDP, sources, nil)
}

// publishOffer is Publish; relayed, for PublishRelayed, describes the
// relay's streams and is kept once the offer applies.
func (p *Participant) publishOffer(offerSDP string, sources map[string]Source, relayed map[string]TrackInfo) (string, error) {
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
	// Parsed once for what the SFU reads of it (Pion parses its own copy).
	var offer sdp.SessionDescription
	if err := offer.UnmarshalString(offerSDP); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	// Learnt before the offer applies: the tagger must know a stream
	// before its first packets are read.
	learnt := p.room.sfu.tags.learn(p, &offer)
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
		// The offer in force is still the previous one.
		p.room.sfu.tags.forget(p, missing(learnt, p.tagged))
		if fresh {
			// A first offer that does not apply leaves nothing behind.
			p.pub = nil
			_ = pc.Close()
		}
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	p.applied(&offer, sources, learnt)
	if relayed != nil {
		p.appliedRelayed(relayed)
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

// applied makes what the participant keeps from its offers match the
// offer now in force, under p.mu. Every offer is a complete description
// of what the publisher sends (JSEP, RFC 8829 §5.2), so whatever the new
// one does not list any more belongs to a track that ended: a long lesson
// whose teacher turns the camera or the screen share on and off many
// times (each time a new client track id, new SSRCs, a re-offer) keeps
// only what the current offer names. Only the offer can say so: a track
// that ended before its first packet never reached onTrack, and a track
// listed but not yet arrived must keep its entries until it does.
func (p *Participant) applied(offer *sdp.SessionDescription, sources map[string]Source, learnt []uint32) {
	listed := sendingTrackIDs(offer)
	kept := make(map[string]Source, len(listed))
	for id := range listed {
		if s, ok := sources[id]; ok {
			kept[id] = s
		} else if s, ok := p.sources[id]; ok {
			kept[id] = s
		}
	}
	p.sources = kept
	p.room.sfu.tags.forget(p, missing(p.tagged, learnt))
	p.tagged = learnt
	p.simSSRC = simulcastSSRCs(offer)
}

// appliedRelayed makes the relay's stream ids and shown-as entries match
// the offer now in force (PublishRelayed), under p.mu.
func (p *Participant) appliedRelayed(tracks map[string]TrackInfo) {
	for id := range p.relayed {
		if _, ok := tracks[id]; !ok {
			delete(p.relayed, id)
			delete(p.shownAs, id) // sources: applied forgot them
		}
	}
	for id, t := range tracks {
		if t.ParticipantID != "" {
			p.shownAs[id] = t.ParticipantID
		}
		p.relayed[id], _ = parseRelayLayer(id)
	}
}

// missing returns the SSRCs of a that b does not hold.
func missing(a, b []uint32) []uint32 {
	var out []uint32
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// sendingTrackIDs returns the track ids (a=msid, or an a=ssrc line's msid)
// of an offer's media sections that send: not rejected (port 0), not
// recvonly or inactive.
func sendingTrackIDs(offer *sdp.SessionDescription) map[string]struct{} {
	ids := map[string]struct{}{}
	for _, m := range offer.MediaDescriptions {
		if m.MediaName.Port.Value == 0 {
			continue
		}
		if _, ok := m.Attribute(sdp.AttrKeyRecvOnly); ok {
			continue
		}
		if _, ok := m.Attribute(sdp.AttrKeyInactive); ok {
			continue
		}
		for _, a := range m.Attributes {
			var f []string
			switch a.Key {
			case sdp.AttrKeyMsid:
				f = strings.Fields(a.Value)
			case sdp.AttrKeySSRC:
				_, rest, _ := strings.Cut(a.Value, " ")
				if v, ok := strings.CutPrefix(rest, "msid:"); ok {
					f = strings.Fields(v)
				}
			}
			if len(f) >= 2 {
				ids[f[1]] = struct{}{}
			}
		}
	}
	return ids
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
	if l != nil {
		// Counted under p.mu while p is open: Close, which sets closed
		// under it, then waits for every drain it may have missed.
		p.drains.Add(1)
	}
	p.mu.Unlock()
	if l == nil {
		p.log.Warn("extra encoding ignored", "track", t.id, "rid", remote.RID(), "ssrc", remote.SSRC())
		return
	}
	go func() {
		defer p.drains.Done()
		if remote.RID() != "" {
			drainSimulcastRTCP(recv, remote.RID())
		} else {
			drainRTCP(recv)
		}
		// The receiver has stopped (Pion makes a new one for a track
		// sent again): nothing can arrive on it any more, and the entry
		// that kept late layers of an unpublished track away goes.
		p.mu.Lock()
		delete(p.byRecv, recv)
		p.mu.Unlock()
	}()
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
func simulcastSSRCs(offer *sdp.SessionDescription) map[uint32]int {
	var m map[uint32]int
	for _, md := range offer.MediaDescriptions {
		for _, a := range md.Attributes {
			rest, ok := strings.CutPrefix(a.Value, "SIM ")
			if a.Key != sdp.AttrKeySSRCGroup || !ok {
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

// drainRTCP reads a receiver's RTCP so that its interceptors run; it ends
// when the receiver stops (a re-offer no longer sends its track, or the
// publishing connection closes).
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
