package peer

import (
	"errors"
	"time"

	"github.com/pion/webrtc/v4"
)

// gatherLimit bounds the wait for ICE gathering; on loopback it takes
// milliseconds.
const gatherLimit = 10 * time.Second

var errGathering = errors.New("peer: ICE gathering did not complete within 10 s")

// CompleteOffer creates pc's offer, sets it as the local description and
// waits until ICE gathering is complete, so that the SDP it returns carries
// every candidate: Lectern's doors (publish.offer, WHIP, WHEP, the SFU's
// Publish and Play) take a complete offer and do not trickle.
func CompleteOffer(pc *webrtc.PeerConnection) (string, error) {
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	return setComplete(pc, offer)
}

// setComplete sets d as pc's local description and returns it once ICE
// gathering is complete (bounded by gatherLimit).
func setComplete(pc *webrtc.PeerConnection, d webrtc.SessionDescription) (string, error) {
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(d); err != nil {
		return "", err
	}
	select {
	case <-gathered:
	case <-time.After(gatherLimit):
		return "", errGathering
	}
	return pc.LocalDescription().SDP, nil
}

// OfferAnswer sends pc's complete offer through exchange (a signalling
// request, an HTTP POST, an SFU call), which returns the answer, and
// applies that answer.
func OfferAnswer(pc *webrtc.PeerConnection, exchange func(offer string) (string, error)) error {
	offer, err := CompleteOffer(pc)
	if err != nil {
		return err
	}
	answer, err := exchange(offer)
	if err != nil {
		return err
	}
	return pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer})
}

// Offer is CompleteOffer for tests: a failure fails t.
func Offer(t TB, pc *webrtc.PeerConnection) string {
	t.Helper()
	sdp, err := CompleteOffer(pc)
	if err != nil {
		t.Fatalf("offer: %v", err)
	}
	return sdp
}
