package cascade

import (
	"github.com/coder/websocket"
	"github.com/lectern/lectern/sfu"
)

// StatusNotOrigin closes a relay whose origin stopped serving the lesson
// (its lease lost or released): the edge asks the cluster for the new
// origin.
const StatusNotOrigin websocket.StatusCode = 4012

// RelayPath is where an origin serves relays: RelayPath + lesson id.
const RelayPath = "/cluster/relay/"

// message is one relay message. The origin sends offers (with the tracks
// of the offer's sections, by the origin's track id); the edge answers.
type message struct {
	Type   string                   `json:"type"` // "offer" or "answer"
	SDP    string                   `json:"sdp"`
	Tracks map[string]sfu.TrackInfo `json:"tracks,omitempty"`
}

// StatusMediaEnded closes a relay whose PeerConnection failed or closed on
// one side (the lesson's room closed, or the media path broke).
const StatusMediaEnded websocket.StatusCode = 4013
