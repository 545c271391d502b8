package sfu

// QualityListener is what a Listener may also implement to hear about
// simulcast, bandwidth and speakers. It is optional (checked with a type
// assertion) so that a Listener written before simulcast keeps compiling;
// NopListener implements it. Its methods are called from the SFU's
// goroutines and must not block. docs/protocol.md ("Simulcast and adaptive
// quality") gives the JSON the signalling layer sends for each.
type QualityListener interface {
	// TrackQuality tells a subscriber which layer of a video track it
	// now receives, and whether the track is paused because its
	// bandwidth cannot hold even the lowest layer ("paused: low
	// bandwidth"). Sent on every change.
	TrackQuality(TrackQuality)
	// PublisherLayers tells a publisher which of its simulcast encodings
	// to keep sending (dynacast): the client sets active: false on the
	// others.
	PublisherLayers(PublisherLayers)
	// Speakers reports the room's speaking participants, loudest first,
	// whenever the set or the active speaker changes.
	Speakers(Speakers)
	// SubscriberStats reports the subscriber's own figures, every few
	// seconds.
	SubscriberStats(SubscriberStats)
}

// TrackQuality is a subscriber's view of one video track.
type TrackQuality struct {
	TrackID string `json:"trackId"`
	// Layer is the index received: 0 low, 1 mid, 2 high; -1 nothing.
	Layer int `json:"layer"`
	// Paused is true when the track is stopped for lack of bandwidth
	// (not when the client hid it).
	Paused bool `json:"paused"`
}

// PublisherLayers is the set of a publisher's encodings that someone
// receives, by RID.
type PublisherLayers struct {
	TrackID       string          `json:"trackId"`
	ClientTrackID string          `json:"clientTrackId"`
	Active        map[string]bool `json:"active"`
}

// Speakers lists who is speaking.
type Speakers struct {
	// Active is the participant speaking most, kept for a moment after
	// they pause; empty when nobody has spoken yet.
	Active string `json:"active"`
	// Speaking are the participants speaking now, loudest first, with
	// their level from 0 (silence) to 1.
	Speaking []SpeakerLevel `json:"speaking"`
}

// SpeakerLevel is one speaking participant.
type SpeakerLevel struct {
	ParticipantID string  `json:"participantId"`
	Level         float64 `json:"level"`
}

// SubscriberStats are the figures of one subscriber connection.
type SubscriberStats struct {
	// Estimate is the congestion controller's estimate, bits per second;
	// Budget is what the allocator used (the estimate, or more after a
	// successful probe).
	Estimate int `json:"estimate"`
	Budget   int `json:"budget"`
	// Loss is the fraction of packets lost on the way to the
	// subscriber (from its receiver reports), RTT the round-trip time in
	// milliseconds.
	Loss  float64 `json:"loss"`
	RTTMs float64 `json:"rttMs"`
	// Tracks is the layer and bitrate of each track received.
	Tracks []TrackStats `json:"tracks"`
}

// TrackStats is one received track in SubscriberStats.
type TrackStats struct {
	TrackID string `json:"trackId"`
	Layer   int    `json:"layer"`
	Paused  bool   `json:"paused,omitempty"`
	Bitrate int    `json:"bitrate"`
}

func (NopListener) TrackQuality(TrackQuality)       {}
func (NopListener) PublisherLayers(PublisherLayers) {}
func (NopListener) Speakers(Speakers)               {}
func (NopListener) SubscriberStats(SubscriberStats) {}

var _ QualityListener = NopListener{}
