package signaling

import (
	"encoding/json"
	"testing"
)

// FuzzEnvelope decodes any frame as an envelope and its payload as every
// message the session decodes itself: errors are protocol errors with a
// code, never a panic.
func FuzzEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"type":"join","id":"1","payload":{"token":"x"}}`,
		`{"v":1,"type":"publish.offer","payload":{"sdp":"v=0","tracks":{"a":"camera"}}}`,
		`{"v":1,"type":"trickle","payload":{"target":"publisher","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}}}`,
		`{"v":1,"type":"track.settings","payload":{"trackId":"t","width":-1,"height":1e9,"visible":"yes"}}`,
		`{"v":2}`, `[]`, `null`, `{"payload":[]}`, `{"v":1,"type":"keyframe","payload":"x"}`, "\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var env Envelope
		if json.Unmarshal(data, &env) != nil {
			return
		}
		targets := []any{&JoinRequest{}, &PublishOffer{}, &SDP{}, &Trickle{}, &TrackRef{}, &TrackSettings{}}
		for _, v := range targets {
			if err := decode(env.Payload, v); err != nil {
				if pe, ok := err.(*Error); !ok || pe.Code != CodeBadRequest {
					t.Fatalf("decode %T: %v is not a bad_request protocol error", v, err)
				}
			}
		}
		// An error reply to it encodes.
		if _, err := json.Marshal(Envelope{V: ProtocolVersion, Type: TypeError, ID: env.ID}); err != nil {
			t.Fatal(err)
		}
	})
}
