package signaling

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestEnvelopeFrameIsWhatMarshalGives: the envelope the server frames by
// hand is byte for byte json.Marshal's, for request ids that need
// escaping too, so clients that recognise a type by the frame's first
// bytes keep working.
func TestEnvelopeFrameIsWhatMarshalGives(t *testing.T) {
	for _, c := range []struct {
		typ, id string
		payload any
	}{
		{"chat.message", "", map[string]any{"text": "<b>你好</b> & \"bye\"", "id": 7}},
		{TypeOK, "42", struct{}{}},
		{TypeError, "a\"b\\c<d>&\u2028\x01é", &Error{Code: CodeBadRequest, Message: "no"}},
		{TypePong, "x", nil},
	} {
		body, _ := json.Marshal(c.payload)
		want, _ := json.Marshal(Envelope{V: ProtocolVersion, Type: c.typ, ID: c.id, Payload: body})
		f, err := encodeFrame(c.typ, c.id, c.payload)
		if err != nil {
			t.Fatal(err)
		}
		if f[0] != 0x81 || int(f[1]) != len(want) || !bytes.Equal(f[2:], want) {
			t.Errorf("%s %q: framed\\n%q\\nwant header 81 %02x and\\n%q", c.typ, c.id, f, len(want), want)
		}
	}
}
