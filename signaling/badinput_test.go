package signaling_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

func dial(t *testing.T, ts *testServer) *peer.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := peer.Dial(ctx, ts.wsURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func raw(t *testing.T, c *peer.Client, frame string) {
	t.Helper()
	if err := c.Conn.Write(context.Background(), websocket.MessageText, []byte(frame)); err != nil {
		t.Fatal(err)
	}
}

func waitError(t *testing.T, c *peer.Client, code string) {
	t.Helper()
	_, ok := c.WaitEvent(signaling.TypeError, 3*time.Second, func(e signaling.Envelope) bool {
		var pe signaling.Error
		_ = json.Unmarshal(e.Payload, &pe)
		return pe.Code == code
	})
	if !ok {
		t.Fatalf("no error %q; got %+v", code, c.Events())
	}
}

func TestBadTokens(t *testing.T) {
	ts := newServer(t)
	other, _ := token.NewSigner([]byte(strings.Repeat("x", 32)))
	forged, _ := other.Issue(token.Claims{Lesson: "L", User: "u", Role: token.RoleTeacher, Permissions: token.DefaultPermissions(token.RoleTeacher)}, time.Hour)
	expired, _ := ts.signer.Issue(token.Claims{Lesson: "L", User: "u", Role: token.RoleTeacher}, -time.Minute)
	for name, tok := range map[string]string{"empty": "", "garbage": "not.a.token", "forged": forged, "expired": expired} {
		t.Run(name, func(t *testing.T) {
			c := dial(t, ts)
			_, err := c.Request(context.Background(), signaling.TypeJoin, signaling.JoinRequest{Token: tok})
			if !peer.IsError(err, signaling.CodeUnauthorized) {
				t.Fatalf("join: %v, want unauthorized", err)
			}
			select {
			case <-c.Done():
			case <-time.After(3 * time.Second):
				t.Fatal("connection stayed open after a bad token")
			}
			if got := c.CloseStatus(); got != signaling.CloseUnauthorized {
				t.Fatalf("close status %d, want %d", got, signaling.CloseUnauthorized)
			}
		})
	}
	if ts.sfu.RoomCount() != 0 {
		t.Fatal("a bad token created a room")
	}
}

func TestMalformedMessagesKeepTheConnection(t *testing.T) {
	ts := newServer(t)
	teacher := join(t, ts, "L", "teacher", token.RoleTeacher, nil)
	student := join(t, ts, "L", "student", token.RoleStudent, nil)
	cases := []struct {
		frame, code string
	}{
		{`{not json`, signaling.CodeBadRequest},
		{`[]`, signaling.CodeBadRequest},
		{`{"v":2,"type":"ping","id":"a"}`, signaling.CodeUnsupportedVersion},
		{`{"v":1,"type":"dance","id":"b"}`, signaling.CodeUnknownType},
		{`{"v":1,"type":"join","id":"c","payload":{"token":"x"}}`, signaling.CodeAlreadyJoined},
		{`{"v":1,"type":"publish.offer","id":"d","payload":{"sdp":"v=0 nonsense"}}`, signaling.CodeBadSDP},
		{`{"v":1,"type":"publish.offer","id":"e","payload":{"sdp":""}}`, signaling.CodeBadSDP},
		{`{"v":1,"type":"publish.offer","id":"f","payload":"oops"}`, signaling.CodeBadRequest},
		{`{"v":1,"type":"publish.offer","id":"g","payload":{"sdp":"v=0","tracks":{"x":"webcam"}}}`, signaling.CodeBadSDP},
		{`{"v":1,"type":"subscribe.answer","id":"h","payload":{"sdp":"v=0"}}`, signaling.CodeBadSDP},
		{`{"v":1,"type":"trickle","id":"i","payload":{"target":"subscribe","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 1 typ host"}}}`, signaling.CodeNotFound},
		{`{"v":1,"type":"trickle","id":"i2","payload":{"target":"sideways","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 1 typ host"}}}`, signaling.CodeBadSDP},
		{`{"v":1,"type":"unpublish","id":"j","payload":{"trackId":"nope"}}`, signaling.CodeNotFound},
		{`{"v":1,"type":"keyframe","id":"k","payload":{"trackId":"nope"}}`, signaling.CodeNotFound},
		{`{"v":1,"type":"ping","id":"` + strings.Repeat("z", 65) + `"}`, signaling.CodeBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.frame, func(t *testing.T) {
			raw(t, teacher, tc.frame)
			waitError(t, teacher, tc.code)
		})
	}
	// A binary frame is refused too.
	if err := teacher.Conn.Write(context.Background(), websocket.MessageBinary, []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	waitError(t, teacher, signaling.CodeBadRequest)
	// After all that, both connections still work.
	for _, c := range []*peer.Client{teacher, student} {
		if _, err := c.Request(context.Background(), signaling.TypePing, struct{}{}); err != nil {
			t.Fatalf("ping: %v", err)
		}
	}
}

func TestMessagesBeforeJoin(t *testing.T) {
	ts := newServer(t)
	c := dial(t, ts)
	_, err := c.Request(context.Background(), signaling.TypePublishOffer, signaling.PublishOffer{SDP: "v=0"})
	if !peer.IsError(err, signaling.CodeNotJoined) {
		t.Fatalf("publish before join: %v", err)
	}
}

func TestOversizedMessageClosesWith1009(t *testing.T) {
	ts := newServer(t)
	victim := join(t, ts, "L", "teacher", token.RoleTeacher, nil)
	c := join(t, ts, "L", "s", token.RoleStudent, nil)
	big := `{"v":1,"type":"ping","payload":{"x":"` + strings.Repeat("a", signaling.MaxMessageSize) + `"}}`
	_ = c.Conn.Write(context.Background(), websocket.MessageText, []byte(big))
	select {
	case <-c.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("connection survived a frame over 64 KiB")
	}
	if got := c.CloseStatus(); got != websocket.StatusMessageTooBig {
		t.Fatalf("close status %d, want 1009", got)
	}
	if _, err := victim.Request(context.Background(), signaling.TypePing, struct{}{}); err != nil {
		t.Fatalf("the room did not carry on: %v", err)
	}
	// A dropped connection is shown as reconnecting (it has 60 s to come back).
	if _, ok := victim.WaitEvent("participant.updated", 3*time.Second, func(e signaling.Envelope) bool {
		return strings.Contains(string(e.Payload), `"reconnecting":true`)
	}); !ok {
		t.Fatal("others were not told the participant dropped")
	}
}

func TestIdleConnectionIsClosed(t *testing.T) {
	ts := newServerIdle(t, 3*time.Second)
	c := dial(t, ts)
	select {
	case <-c.Done():
	case <-time.After(6 * time.Second):
		t.Fatal("idle connection stayed open")
	}
	if got := c.CloseStatus(); got != signaling.CloseIdle {
		t.Fatalf("close status %d, want %d", got, signaling.CloseIdle)
	}
}
