package sfu_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// TestRepublishForgetsEndedTracks: a teacher who turns the camera on and
// off again and again on one publishing connection (each time a new track
// id and new SSRCs, each time a re-offer) leaves the participant and the
// SFU with what the offer in force lists, not with every track it ever
// sent. Both simulcast shapes that teach the SFU SSRCs are played: a Pion
// publisher's (a=ssrc per RID, learnt by the ridTagger) and a browser's
// (a=ssrc-group:SIM).
func TestRepublishForgetsEndedTracks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		munge func(string) string
	}{
		{"ssrc per rid", nil},
		{"ssrc-group SIM", withSIMGroup},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, pc, part := publishingPair(t)

			const rounds = 6
			var on [3]int // what the first round keeps while the camera is on
			for i := range rounds {
				id := fmt.Sprintf("camera-%d", i)
				sender := addSimulcastCamera(t, pc, id)
				offerAnswerMunged(t, part, pc, map[string]sfu.Source{id: sfu.SourceCamera}, tc.munge)
				src, sim, tagged := sfu.OfferState(part)
				got := [3]int{src, sim, tagged}
				if i == 0 {
					on = got
					if src != 1 {
						t.Fatalf("camera on: %d sources kept, want 1", src)
					}
					if sim+tagged == 0 {
						t.Fatal("camera on: the SFU learnt no SSRC of the simulcast camera")
					}
				} else if got != on {
					t.Errorf("round %d, camera on: keeps (sources, SIM SSRCs, tagged SSRCs) = %v, want %v as in round 0", i, got, on)
				}
				if n := sfu.RIDTags(s); n != tagged {
					t.Errorf("round %d, camera on: the SFU's ridTagger keeps %d tags, want the %d of the current offer", i, n, tagged)
				}

				if err := pc.RemoveTrack(sender); err != nil {
					t.Fatal(err)
				}
				offerAnswerMunged(t, part, pc, map[string]sfu.Source{}, tc.munge)
				if src, sim, tagged := sfu.OfferState(part); src+sim+tagged != 0 {
					t.Errorf("round %d, camera off: keeps %d sources, %d SIM SSRCs, %d tagged SSRCs; want none", i, src, sim, tagged)
				}
				if n := sfu.RIDTags(s); n != 0 {
					t.Errorf("round %d, camera off: the SFU's ridTagger keeps %d tags, want 0", i, n)
				}
			}
			part.Close()
			if n := sfu.RIDTags(s); n != 0 {
				t.Errorf("after the teacher left: the SFU's ridTagger keeps %d tags, want 0", n)
			}
		})
	}
}

// TestRefusedOfferKeepsTheOneInForce: a re-offer the SFU cannot apply
// leaves what the offer in force taught in place, and teaches nothing.
func TestRefusedOfferKeepsTheOneInForce(t *testing.T) {
	s, pc, part := publishingPair(t)
	addSimulcastCamera(t, pc, "camera-0")
	offerAnswerMunged(t, part, pc, map[string]sfu.Source{"camera-0": sfu.SourceCamera}, nil)
	src, sim, tagged := sfu.OfferState(part)
	tags := sfu.RIDTags(s)
	if src != 1 || tagged == 0 || tags != tagged {
		t.Fatalf("camera on: %d sources, %d tagged SSRCs, %d tags; want 1 source and the tags of its SSRCs", src, tagged, tags)
	}

	// A second camera in an offer without ICE credentials: Pion refuses
	// it, after the ridTagger has read it.
	addSimulcastCamera(t, pc, "camera-1")
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(offer.SDP, "\r\n") {
		if !strings.HasPrefix(l, "a=ice-ufrag:") {
			kept = append(kept, l)
		}
	}
	bad := strings.Join(kept, "\r\n")
	if bad == offer.SDP {
		t.Fatal("the offer has no ICE user fragment to leave out")
	}
	if _, err := part.Publish(bad, map[string]sfu.Source{"camera-0": sfu.SourceCamera, "camera-1": sfu.SourceCamera}); err == nil {
		t.Fatal("an offer without ICE credentials was applied")
	}
	if s2, sim2, t2 := sfu.OfferState(part); s2 != src || sim2 != sim || t2 != tagged {
		t.Errorf("after a refused offer: keeps (%d, %d, %d), want (%d, %d, %d) of the offer in force", s2, sim2, t2, src, sim, tagged)
	}
	if n := sfu.RIDTags(s); n != tags {
		t.Errorf("after a refused offer: the ridTagger keeps %d tags, want %d", n, tags)
	}
}

// publishingPair returns an SFU, a teacher publishing in it, and a Pion
// peer connection with no tracks yet to publish as the teacher.
func publishingPair(t *testing.T) (*sfu.SFU, *webrtc.PeerConnection, *sfu.Participant) {
	t.Helper()
	s := newSFU(t)
	api, err := peer.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	part, err := s.Join("toggle", sfu.ParticipantConfig{ID: "teacher", Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(part.Close)
	return s, pc, part
}

// addSimulcastCamera adds a sendonly video transceiver of three encodings
// (RIDs q, h, f) with track id id, as a Pion publisher using AddEncoding.
func addSimulcastCamera(t *testing.T, pc *webrtc.PeerConnection, id string) *webrtc.RTPSender {
	t.Helper()
	var layers [3]*webrtc.TrackLocalStaticRTP
	for i, rid := range peer.SimulcastRIDs {
		l, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, id, "teacher", webrtc.WithRTPStreamID(rid))
		if err != nil {
			t.Fatal(err)
		}
		layers[i] = l
	}
	tr, err := pc.AddTransceiverFromTrack(layers[0], webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers[1:] {
		if err := tr.Sender().AddEncoding(l); err != nil {
			t.Fatal(err)
		}
	}
	return tr.Sender()
}

// withSIMGroup adds an a=ssrc-group:SIM line, as a browser sends, to every
// media section that declares three primary SSRCs (an a=ssrc per encoding,
// RTX streams paired by a=ssrc-group:FID).
func withSIMGroup(offer string) string {
	lines := strings.Split(offer, "\r\n")
	var out []string
	flush := func(section []string) {
		var ssrcs, repairs []string
		for _, l := range section {
			if v, ok := strings.CutPrefix(l, "a=ssrc:"); ok {
				id, _, _ := strings.Cut(v, " ")
				if !slices.Contains(ssrcs, id) {
					ssrcs = append(ssrcs, id)
				}
			}
			if v, ok := strings.CutPrefix(l, "a=ssrc-group:FID "); ok {
				if f := strings.Fields(v); len(f) == 2 {
					repairs = append(repairs, f[1])
				}
			}
		}
		var primaries []string
		for _, id := range ssrcs {
			if !slices.Contains(repairs, id) {
				primaries = append(primaries, id)
			}
		}
		out = append(out, section...)
		if len(primaries) == 3 {
			out = append(out, "a=ssrc-group:SIM "+strings.Join(primaries, " "))
		}
	}
	var section []string
	for _, l := range lines {
		if strings.HasPrefix(l, "m=") || l == "" {
			flush(section)
			section = nil
		}
		section = append(section, l)
	}
	flush(section)
	return strings.Join(out, "\r\n")
}

// TestCameraToggleLeavesNothingBehind: a camera turned on and off again
// and again on one publishing connection, with media flowing, leaves no
// track, receiver entry, reader goroutine or offer entry behind each time
// it goes off: as the web client does it (unpublish, then a re-offer
// without the track) and as a client that only re-offers does it.
func TestCameraToggleLeavesNothingBehind(t *testing.T) {
	for _, unpublish := range []bool{true, false} {
		t.Run(fmt.Sprintf("unpublish=%v", unpublish), func(t *testing.T) {
			toggleCamera(t, unpublish)
		})
	}
}

func toggleCamera(t *testing.T, unpublish bool) {
	s, pc, part := publishingPair(t)
	const rounds = 5
	for i := range rounds {
		id := fmt.Sprintf("camera-%d", i)
		track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, id, "teacher")
		if err != nil {
			t.Fatal(err)
		}
		sender, err := pc.AddTrack(track)
		if err != nil {
			t.Fatal(err)
		}
		offerAnswerMunged(t, part, pc, map[string]sfu.Source{id: sfu.SourceCamera}, nil)
		stop, sent := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(sent)
			sendVP8(track, stop)
		}()
		waitTracks(t, s.Room("toggle"), 1)
		if n := len(s.Room("toggle").Tracks()); n != 1 {
			t.Fatalf("round %d, camera on: the room has %d tracks, want 1", i, n)
		}

		if buf := make([]byte, 1<<20); !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "sfu.(*Track).readLoop") {
			t.Fatalf("round %d, camera on: no track reader runs", i)
		}
		if unpublish {
			if err := part.Unpublish(id); err != nil {
				t.Fatalf("round %d: unpublish: %v", i, err)
			}
		}
		if err := pc.RemoveTrack(sender); err != nil {
			t.Fatal(err)
		}
		offerAnswerMunged(t, part, pc, map[string]sfu.Source{}, nil)
		close(stop)
		<-sent
		// The room drops the track when its last reader ends: this
		// room's readers first, then no reader anywhere (the bounds are
		// generous: a loaded machine stops Pion's receiver late, a leak
		// never ends).
		for deadline := time.Now().Add(10 * time.Second); len(s.Room("toggle").Tracks()) != 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d, camera off: the room still has %d tracks 10 s later", i, len(s.Room("toggle").Tracks()))
			}
		}
		waitNoGoroutine(t, "sfu.(*Track).readLoop", 10*time.Second)
		waitNoGoroutine(t, "sfu.drainRTCP", 10*time.Second)
		if n := sfu.Receivers(part); n != 0 {
			t.Errorf("round %d, camera off: the participant maps %d receivers, want 0", i, n)
		}
		if src, sim, tagged := sfu.OfferState(part); src+sim+tagged != 0 {
			t.Errorf("round %d, camera off: keeps %d sources, %d SIM SSRCs, %d tagged SSRCs; want none", i, src, sim, tagged)
		}
	}
}

// sendVP8 writes a VP8 keyframe every 20 ms to track until stop, for at
// most 10 s.
func sendVP8(track *webrtc.TrackLocalStaticRTP, stop <-chan struct{}) {
	// A VP8 payload descriptor (S=1, partition 0) and a keyframe header
	// of a 16x16 picture.
	payload := []byte{0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 16, 0, 16, 0}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for seq := uint16(0); ; seq++ {
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, Marker: true, SequenceNumber: seq, Timestamp: uint32(seq) * 1800}, Payload: payload}
		_ = track.WriteRTP(pkt)
		select {
		case <-stop:
			return
		case <-deadline:
			return
		case <-tick.C:
		}
	}
}

// TestTrackUnpublishedBeforeItStartedIsForgotten: a track unpublished in
// the window between its arrival and its registration in the room keeps
// its receiver's entry (so that its late layers are dropped too) only
// while that receiver lives: the re-offer that no longer sends the track
// stops the receiver, and the entry goes with it.
func TestTrackUnpublishedBeforeItStartedIsForgotten(t *testing.T) {
	s := newSFU(t)
	dropped := make(chan struct{}, 4)
	sfu.SetTestHooks(s, func(p *sfu.Participant) {
		for _, tr := range p.Tracks() {
			_ = p.Unpublish(tr.ID())
		}
		dropped <- struct{}{}
	}, nil)
	pub, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	part, err := s.Join("early", sfu.ParticipantConfig{ID: "teacher", Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(part.Close)
	offerAnswer(t, part, pub.PC, pub.Sources())
	pub.Start()
	for range 2 { // video and audio
		select {
		case <-dropped:
		case <-time.After(10 * time.Second):
			t.Fatal("no track arrived")
		}
	}
	if n := len(part.Tracks()); n != 0 {
		t.Fatalf("the publisher holds %d tracks it unpublished", n)
	}
	for _, sender := range pub.PC.GetSenders() {
		if err := pub.PC.RemoveTrack(sender); err != nil {
			t.Fatal(err)
		}
	}
	offerAnswer(t, part, pub.PC, nil)
	deadline := time.Now().Add(3 * time.Second)
	for sfu.Receivers(part) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the participant still maps %d receivers of tracks that ended 3s ago", sfu.Receivers(part))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
