package signaling_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// whepOffer returns a receive-only offer from a fresh Pion peer.
func whepOffer(t *testing.T) (*peer.Subscriber, string) {
	t.Helper()
	sub := peer.Player(t)
	return sub, peer.Offer(t, sub.PC)
}

func errCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	var e signaling.Error
	_ = json.Unmarshal(b, &e)
	return e.Code
}

// TestSessionLimits: one token opens at most PerToken sessions (WebSocket,
// WHIP and WHEP together); the next WHEP gets 429 too_many_sessions and
// the next WebSocket join is closed with 4029; closing one frees a slot.
func TestSessionLimits(t *testing.T) {
	ts := newServerWith(t, func(c *signaling.Config) {
		c.IdleTimeout = 10 * time.Second
		c.Limits = signaling.Limits{PerToken: 3, PerAccount: 5, PerAddress: -1}
	})
	tok := ts.token(t, "L", "student", token.RoleStudent)
	join(t, ts, "L", "other", token.RoleStudent, nil) // another token, another account
	var locations []string
	for i := range 3 {
		_, offer := whepOffer(t)
		resp := post(t, ts.URL+"/whep/L", tok, "application/sdp", offer)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("WHEP %d: %d %s", i, resp.StatusCode, errCode(t, resp))
		}
		locations = append(locations, resp.Header.Get("Location"))
	}
	_, offer := whepOffer(t)
	resp := post(t, ts.URL+"/whep/L", tok, "application/sdp", offer)
	if resp.StatusCode != http.StatusTooManyRequests || errCode(t, resp) != signaling.CodeTooManySessions {
		t.Fatalf("fourth WHEP: %d", resp.StatusCode)
	}
	c, err := peer.Dial(t.Context(), ts.wsURL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Request(t.Context(), signaling.TypeJoin, signaling.JoinRequest{Token: tok}); !peer.IsError(err, signaling.CodeTooManySessions) {
		t.Fatalf("fourth session over the WebSocket: %v", err)
	}
	select {
	case <-c.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("not closed")
	}
	if c.CloseStatus() != signaling.CloseTooMany {
		t.Fatalf("close %d", c.CloseStatus())
	}
	req, _ := http.NewRequest(http.MethodDelete, ts.URL+locations[0], nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %v", err)
	}
	_, offer = whepOffer(t)
	if resp := post(t, ts.URL+"/whep/L", tok, "application/sdp", offer); resp.StatusCode != http.StatusCreated {
		t.Fatalf("after a DELETE: %d", resp.StatusCode)
	}
	// Per account: a second token of the same user finds the account full
	// after five.
	// (Another name, so that the token differs even when issued in the
	// same second as the first.)
	tok2, err := ts.signer.Issue(token.Claims{Lesson: "L", User: "student", Name: "Student, second device", Role: token.RoleStudent,
		Permissions: token.DefaultPermissions(token.RoleStudent)}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if tok2 == tok {
		t.Fatal("the second token equals the first")
	}
	for i := range 3 {
		_, offer := whepOffer(t)
		want := http.StatusCreated
		if i == 2 {
			want = http.StatusTooManyRequests
		}
		if resp := post(t, ts.URL+"/whep/L", tok2, "application/sdp", offer); resp.StatusCode != want {
			t.Fatalf("second token, WHEP %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
}

// TestHTTPSessionsAreParticipants: a WHIP publisher ("obs") and a WHEP
// player ("player") are participants of the live lesson: the room sees
// them join and leave, a lock refuses a new player, a moderator's mute
// and removal apply to them, and a player whose peer goes away is removed
// after the ICE grace.
func TestHTTPSessionsAreParticipants(t *testing.T) {
	ts := newServerWith(t, func(c *signaling.Config) {
		c.IdleTimeout = 10 * time.Second
		c.Limits = signaling.Limits{PerAddress: -1}
		c.ICEGrace = time.Second
	})
	teacher := join(t, ts, "P", "teacher", token.RoleTeacher, nil)
	pub := newPublisher(t)
	resp := post(t, ts.URL+"/whip/P", ts.token(t, "P", "obs", token.RoleAssistant), "application/sdp", peer.Offer(t, pub.PC))
	applyAnswer(t, pub.PC, resp)
	pub.Start()
	kindOf := func(e signaling.Envelope) string {
		var p struct{ ID, Kind string }
		_ = json.Unmarshal(e.Payload, &p)
		return p.Kind + " " + p.ID
	}
	obs, ok := teacher.WaitEvent("participant.joined", 5*time.Second, func(e signaling.Envelope) bool {
		return strings.HasPrefix(kindOf(e), "obs ")
	})
	if !ok {
		t.Fatal("the room did not see the WHIP publisher join")
	}
	obsID := strings.TrimPrefix(kindOf(obs), "obs ")

	player, offer := whepOffer(t)
	resp = post(t, ts.URL+"/whep/P", ts.token(t, "P", "viewer", token.RoleStudent), "application/sdp", offer)
	applyAnswer(t, player.PC, resp)
	if _, ok := teacher.WaitEvent("participant.joined", 5*time.Second, func(e signaling.Envelope) bool {
		return strings.HasPrefix(kindOf(e), "player ")
	}); !ok {
		t.Fatal("the room did not see the WHEP player join")
	}
	if v := player.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second); v == nil || !v.WaitKeyframe(3*time.Second) {
		t.Fatal("the player got no video")
	}

	// Mute reaches the WHIP publisher's microphone at the server.
	if _, err := teacher.Request(t.Context(), "participant.mute", map[string]any{"participantId": obsID}); err != nil {
		t.Fatalf("mute the WHIP publisher: %v", err)
	}

	// Locked: a new player is refused.
	if _, err := teacher.Request(t.Context(), "lesson.lock", map[string]any{"locked": true}); err != nil {
		t.Fatal(err)
	}
	_, offer2 := whepOffer(t)
	resp = post(t, ts.URL+"/whep/P", ts.token(t, "P", "late", token.RoleStudent), "application/sdp", offer2)
	if resp.StatusCode != http.StatusForbidden || errCode(t, resp) != "locked" {
		t.Fatalf("WHEP into a locked lesson: %d", resp.StatusCode)
	}

	// The player's peer goes away without a DELETE: removed after the grace.
	player.Close()
	if _, ok := teacher.WaitEvent("participant.left", 10*time.Second, func(e signaling.Envelope) bool {
		return strings.Contains(string(e.Payload), "whep-")
	}); !ok {
		t.Fatal("a WHEP player whose peer closed was not removed")
	}

	// Removal closes the WHIP session.
	if _, err := teacher.Request(t.Context(), "participant.remove", map[string]any{"participantId": obsID}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(ts.sfu.Room("P").Tracks()) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the removed WHIP publisher's tracks are still forwarded")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
