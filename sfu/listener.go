package sfu

import "github.com/pion/webrtc/v4"

// Source says what a track carries.
type Source string

// Track sources.
const (
	SourceMicrophone  Source = "microphone"
	SourceCamera      Source = "camera"
	SourceScreen      Source = "screen"
	SourceScreenAudio Source = "screen_audio"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	switch s {
	case SourceMicrophone, SourceCamera, SourceScreen, SourceScreenAudio:
		return true
	}
	return false
}

// Target names one of a participant's two PeerConnections.
type Target string

// The two PeerConnections of a participant.
const (
	TargetPublish   Target = "publish"
	TargetSubscribe Target = "subscribe"
)

// TrackInfo describes a published track to subscribers.
type TrackInfo struct {
	ID            string `json:"id"`
	ParticipantID string `json:"participantId"`
	Kind          string `json:"kind"`
	Source        Source `json:"source"`
}

// Listener receives what the SFU has to tell one participant. The server's
// descriptions carry all of its candidates, so the SFU never trickles. Its methods
// are called from the SFU's goroutines and must not block.
type Listener interface {
	// SubscribeOffer carries a new offer for the subscribe connection;
	// tracks maps each media section's mid to its track.
	SubscribeOffer(sdp string, tracks map[string]TrackInfo)
	// TrackPublished and TrackUnpublished report other participants'
	// tracks coming and going.
	TrackPublished(TrackInfo)
	TrackUnpublished(TrackInfo)
	// ConnectionState reports a PeerConnection's state changes.
	ConnectionState(target Target, state webrtc.PeerConnectionState)
}

// NopListener ignores everything; embed it to implement part of Listener.
type NopListener struct{}

func (NopListener) SubscribeOffer(string, map[string]TrackInfo)        {}
func (NopListener) TrackPublished(TrackInfo)                           {}
func (NopListener) TrackUnpublished(TrackInfo)                         {}
func (NopListener) ConnectionState(Target, webrtc.PeerConnectionState) {}
