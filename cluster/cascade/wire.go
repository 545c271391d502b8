package cascade

import "github.com/lectern/lectern/sfu"

// RelayPath is where an origin serves relays: RelayPath + lesson id.
const RelayPath = "/cluster/relay/"

// message is one relay message. The origin sends offers (with the tracks
// of the offer's sections, by the origin's track id); the edge answers.
type message struct {
	Type   string                   `json:"type"` // "offer" or "answer"
	SDP    string                   `json:"sdp"`
	Tracks map[string]sfu.TrackInfo `json:"tracks,omitempty"`
}
