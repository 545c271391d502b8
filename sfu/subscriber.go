package sfu

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// subscriber is a participant's receiving connection. The server makes
// every offer; at most one is outstanding, and changes made while waiting
// for the answer are folded into the next one.
type subscriber struct {
	p  *Participant
	pc *webrtc.PeerConnection

	mu        sync.Mutex // guards downs, awaiting, pending, candidates, closed
	downs     map[string]*subscription
	awaiting  bool                      // an offer is outstanding
	pending   bool                      // renegotiate once the answer arrives
	early     []webrtc.ICECandidateInit // candidates that came before the answer
	closed    bool
	rtcpGroup sync.WaitGroup // allocLoop
	connected atomic.Bool    // read by every down-track's writer

	done  chan struct{}       // closed by close
	kickc chan struct{}       // asks allocLoop for a round now
	ctl   controller          // owned by allocLoop
	srs   []rtcp.SenderReport // owned by allocLoop, reused (senderreport.go)

	est       *bwEstimator  // the connection's estimator (estimator.go)
	routes    *rtcpRoutes   // where its RTCP goes (rtcpsink.go)
	estimate  atomic.Int64  // the controller's latest estimate, bits per second
	lossQ8    atomic.Uint32 // fraction lost from the latest receiver report, /256
	rttMicros atomic.Int64  // round-trip time from the latest receiver report
	stats     atomic.Pointer[SubscriberStats]
	resends   resendLimiter // over every down-track's retransmissions
	nacked    atomic.Uint64 // video packets the subscriber NACKed
	vsent     atomic.Uint64 // video packets sent to it
}

type subscription struct {
	track  *Track
	down   *DownTrack
	sender *webrtc.RTPSender
}

func newSubscriber(p *Participant) (*subscriber, error) {
	cfg := p.room.sfu.cfg
	s := &subscriber{p: p, downs: map[string]*subscription{}, done: make(chan struct{}), kickc: make(chan struct{}, 1)}
	s.est = newBWEstimator(cfg.InitialBitrate, func() time.Duration { return time.Duration(s.rttMicros.Load()) * time.Microsecond })
	s.routes = newRTCPRoutes(s.est, s.onReceiverReport, &p.room.sfu.ctr)
	api, err := newSubscriberAPI(p.room.sfu.se, true, s.routes)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	s.pc = pc
	s.resends.est = &s.estimate
	s.estimate.Store(int64(cfg.InitialBitrate))
	s.ctl.probe = p.room.sfu.pacer.newProber()
	s.rtcpGroup.Add(1)
	go s.allocLoop()
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		s.setConnected(st == webrtc.PeerConnectionStateConnected)
		p.cfg.Listener.ConnectionState(TargetSubscribe, st)
	})
	// Nothing may be published on the receiving connection.
	pc.OnTrack(func(_ *webrtc.TrackRemote, r *webrtc.RTPReceiver) { _ = r.Stop() })
	return s, nil
}

func (s *subscriber) add(t *Track) {
	added := false
	if s.p.cfg.Relay && t.kind == webrtc.RTPCodecTypeVideo {
		// A relay takes each layer the track has, pinned (relay.go); a
		// layer that appears later is added then (Room.relayLayer).
		for n := range maxLayers {
			if t.layerTaken(n) {
				added = s.addDown(t, relayLayerID(t.id, n), n) || added
			}
		}
	} else {
		added = s.addDown(t, t.id, -1)
	}
	if added {
		s.kick()
		s.negotiate()
	}
}

// addDown adds a down-track of t under key: pinned to layer pin, or
// allocated (pin < 0). It reports whether it added one.
func (s *subscriber) addDown(t *Track, key string, pin int) bool {
	s.mu.Lock()
	if s.closed || s.downs[key] != nil || t.closed() {
		s.mu.Unlock()
		return false
	}
	d := newDownTrack(t, t.shownID(), &s.connected)
	if pin >= 0 {
		d.id, d.pinned = key, true
		d.target.Store(int32(pin))
	}
	d.limit, d.rtt, d.routes = &s.resends, &s.rttMicros, s.routes
	if t.kind == webrtc.RTPCodecTypeVideo {
		d.nacked, d.vsent = &s.nacked, &s.vsent
	}
	sender, err := s.pc.AddTrack(d)
	if err != nil {
		s.mu.Unlock()
		s.p.log.Error("add down-track", "track", t.id, "err", err)
		return false
	}
	s.preferCodec(sender, t)
	s.downs[key] = &subscription{track: t, down: d, sender: sender}
	// Under s.mu, as remove's removeDown is: a remove racing this add
	// cannot leave d on the track.
	t.addDown(d)
	s.mu.Unlock()
	return true
}

// preferCodec narrows the sender's transceiver to the publisher's codec, so
// the subscriber is negotiated onto it.
func (s *subscriber) preferCodec(sender *webrtc.RTPSender, t *Track) {
	for _, tr := range s.pc.GetTransceivers() {
		if tr.Sender() != sender {
			continue
		}
		var prefs []webrtc.RTPCodecParameters
		for _, c := range codecs {
			if sameCodec(t.codec.RTPCodecCapability, c.params.RTPCodecCapability) {
				prefs = append(prefs, c.params)
				for _, r := range codecs {
					if r.params.MimeType == webrtc.MimeTypeRTX && r.params.SDPFmtpLine == "apt="+strconv.Itoa(int(c.params.PayloadType)) {
						prefs = append(prefs, r.params)
					}
				}
			}
		}
		if len(prefs) > 0 {
			_ = tr.SetCodecPreferences(prefs)
		}
	}
}

// setConnected starts every down-track afresh, from a keyframe, when the
// transport comes up.
func (s *subscriber) setConnected(up bool) {
	if s.connected.Swap(up) == up || !up {
		return
	}
	s.mu.Lock()
	subs := make([]*subscription, 0, len(s.downs))
	for _, sub := range s.downs {
		subs = append(subs, sub)
	}
	s.mu.Unlock()
	for _, sub := range subs {
		sub.down.resync(sub.track.kind == webrtc.RTPCodecTypeVideo)
		sub.down.requestKeyframe()
		sub.down.startFromCache()
	}
}

func (s *subscriber) remove(t *Track) {
	s.mu.Lock()
	removed := false
	for key, sub := range s.downs {
		if sub.track != t { // none once closed: close empties downs
			continue
		}
		delete(s.downs, key)
		t.removeDown(sub.down)
		_ = s.pc.RemoveTrack(sub.sender)
		removed = true
	}
	s.mu.Unlock()
	if removed {
		s.negotiate()
	}
}

// negotiate sends a new offer, or notes that one is needed once the
// outstanding offer is answered.
func (s *subscriber) negotiate() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if s.awaiting {
		s.pending = true
		s.mu.Unlock()
		return
	}
	offer, err := s.pc.CreateOffer(nil)
	gathered := webrtc.GatheringCompletePromise(s.pc)
	if err == nil {
		err = s.pc.SetLocalDescription(offer)
	}
	if err != nil {
		s.mu.Unlock()
		s.p.log.Error("subscribe offer", "err", err)
		return
	}
	<-gathered // host candidates only: milliseconds
	tracks := map[string]TrackInfo{}
	for _, tr := range s.pc.GetTransceivers() {
		for _, sub := range s.downs {
			if tr.Sender() != nil && tr.Sender() == sub.sender && tr.Mid() != "" {
				info := sub.track.Info()
				info.ID = sub.down.id // a relay's layer streams have their own
				tracks[tr.Mid()] = info
			}
		}
	}
	s.awaiting = true
	sdp := s.pc.LocalDescription().SDP
	s.mu.Unlock()
	s.p.cfg.Listener.SubscribeOffer(sdp, tracks)
}

func (s *subscriber) setAnswer(sdp string) error {
	s.mu.Lock()
	if !s.awaiting {
		s.mu.Unlock()
		return ErrNoOffer
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	s.awaiting = false
	for _, c := range s.early {
		_ = s.pc.AddICECandidate(c)
	}
	s.early = nil
	again := s.pending
	s.pending = false
	s.mu.Unlock()
	if again {
		s.negotiate()
	}
	return nil
}

// addCandidate is called with the participant's lock held.
func (s *subscriber) addCandidate(c webrtc.ICECandidateInit) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pc.RemoteDescription() == nil {
		if len(s.early) < 64 {
			s.early = append(s.early, c)
		}
		return nil
	}
	return s.pc.AddICECandidate(c)
}

func (s *subscriber) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	downs := s.downs
	s.downs = map[string]*subscription{}
	s.mu.Unlock()
	for _, sub := range downs {
		sub.track.removeDown(sub.down)
	}
	s.ctl.probe.cancel()
	_ = s.pc.Close()
	s.rtcpGroup.Wait()
}

// onReceiverReport keeps the loss and round-trip time (RFC 3550 §6.4.1) of
// one block of a receiver report from the subscriber.
func (s *subscriber) onReceiverReport(r rtcp.ReceptionReport) {
	s.lossQ8.Store(uint32(r.FractionLost))
	if r.LastSenderReport == 0 {
		return
	}
	// Middle 32 bits of the NTP time now, in 1/65536 s.
	ntp := uint32(ntpTime(time.Now()) >> 16)
	if rtt := ntp - r.LastSenderReport - r.Delay; rtt < 1<<31 {
		s.rttMicros.Store(int64(rtt) * 1e6 >> 16)
	}
}
