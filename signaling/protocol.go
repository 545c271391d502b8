package signaling

import (
	"encoding/json"
	"github.com/lectern/lectern/classroom"

	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// ProtocolVersion is the version of docs/protocol.md this package speaks.
const ProtocolVersion = 1

// MaxMessageSize is the largest frame a client may send.
const MaxMessageSize = 64 << 10

// Envelope is every frame on the WebSocket.
type Envelope struct {
	V       int             `json:"v"`
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Message types of docs/protocol.md.
const (
	TypeJoin             = "join"
	TypeJoined           = "joined"
	TypePublishOffer     = "publish.offer"
	TypePublishAnswer    = "publish.answer"
	TypeUnpublish        = "unpublish"
	TypeSubscribeOffer   = "subscribe.offer"
	TypeSubscribeAnswer  = "subscribe.answer"
	TypeTrickle          = "trickle"
	TypeKeyframe         = "keyframe"
	TypePing             = "ping"
	TypePong             = "pong"
	TypeLeave            = "leave"
	TypeOK               = "ok"
	TypeError            = "error"
	TypeTrackPublished   = "track.published"
	TypeTrackUnpublished = "track.unpublished"
)

// JoinRequest is the payload of join.
type JoinRequest struct {
	Token string `json:"token"`
}

// ParticipantInfo describes a participant to the others.
type ParticipantInfo struct {
	ID          string             `json:"id"`
	UserID      string             `json:"userId"`
	Name        string             `json:"name"`
	Role        token.Role         `json:"role"`
	Permissions *token.Permissions `json:"permissions,omitempty"`
}

// ICEServer is one STUN or TURN server for the client.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Joined is the reply to join.
type Joined struct {
	Participant  ParticipantInfo   `json:"participant"`
	Lesson       string            `json:"lesson"`
	Participants []ParticipantInfo `json:"participants"`
	Tracks       []sfu.TrackInfo   `json:"tracks"`
	ICEServers   []ICEServer       `json:"iceServers"`
	// Classroom carries the live lesson's state when a Classroom is wired.
	Classroom any `json:"classroom,omitempty"`
	// LessonStatus is the lesson's status (scheduled or live) when the
	// store knows the lesson.
	LessonStatus classroom.Status `json:"lessonStatus,omitempty"`
}

// PublishOffer is the payload of publish.offer.
type PublishOffer struct {
	SDP    string                `json:"sdp"`
	Tracks map[string]sfu.Source `json:"tracks"`
}

// SDP is the payload of publish.answer and subscribe.answer.
type SDP struct {
	SDP string `json:"sdp"`
}

// SubscribeOffer is the payload of subscribe.offer.
type SubscribeOffer struct {
	SDP    string                   `json:"sdp"`
	Tracks map[string]sfu.TrackInfo `json:"tracks"`
}

// Trickle is the payload of trickle.
type Trickle struct {
	Target    sfu.Target               `json:"target"`
	Candidate *webrtc.ICECandidateInit `json:"candidate"`
}

// TrackRef names a track.
type TrackRef struct {
	TrackID       string `json:"trackId"`
	ParticipantID string `json:"participantId,omitempty"`
}

// TrackEvent is the payload of track.published.
type TrackEvent struct {
	Track sfu.TrackInfo `json:"track"`
}
