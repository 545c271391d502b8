package signaling_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

func req(t *testing.T, c *peer.Client, typ string, payload any) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Request(ctx, typ, payload)
	return err
}

func code(err error) string {
	if err == nil {
		return "ok"
	}
	var e *peer.ErrorReply
	if ok := asReply(err, &e); ok {
		return e.Code
	}
	return "transport: " + err.Error()
}

func asReply(err error, e **peer.ErrorReply) bool {
	r, ok := err.(*peer.ErrorReply)
	if ok {
		*e = r
	}
	return ok
}

// oneDeck is the course's materials as slides.open sees them: one PDF
// of three pages.
type oneDeck struct{}

func (oneDeck) SlideDeck(_ context.Context, _, materialID string) (live.SlideDeck, error) {
	if materialID != "deck" {
		return live.SlideDeck{}, live.ErrNotFound
	}
	return live.SlideDeck{MaterialID: materialID, Name: "week1.pdf", Pages: 3}, nil
}

// TestAuthorisationMatrix sends every moderator-only and participant
// message as each role over real WebSockets and checks who is refused.
func TestAuthorisationMatrix(t *testing.T) {
	ts := newServerWith(t, func(c *signaling.Config) {
		c.IdleTimeout = 3 * time.Second
		c.Limits = signaling.Limits{PerAddress: -1}
		c.LessonOptions = func(string) []live.Option { return []live.Option{live.WithDecks(oneDeck{})} }
	})
	teacher := join(t, ts, "M", "teacher", token.RoleTeacher, nil)
	target := join(t, ts, "M", "target", token.RoleStudent, nil)
	tid := target.Joined.Participant.ID
	byRole := map[token.Role]*peer.Client{
		token.RoleTeacher:   teacher,
		token.RoleAssistant: join(t, ts, "M", "assistant", token.RoleAssistant, nil),
		token.RoleStudent:   join(t, ts, "M", "student", token.RoleStudent, nil),
		token.RoleObserver:  join(t, ts, "M", "observer", token.RoleObserver, nil),
	}
	ok, forbidden := "ok", "forbidden"
	type row struct {
		typ     string
		payload any
		want    map[token.Role]string
	}
	mods := func(teacherOnly bool) map[token.Role]string {
		m := map[token.Role]string{token.RoleTeacher: ok, token.RoleAssistant: ok, token.RoleStudent: forbidden, token.RoleObserver: forbidden}
		if teacherOnly {
			m[token.RoleAssistant] = forbidden
		}
		return m
	}
	rows := []row{
		{"lesson.lock", map[string]any{"locked": false}, mods(false)},
		{"chat.enable", map[string]any{"enabled": true}, mods(false)},
		{"chat.slow", map[string]any{"seconds": 0}, mods(false)},
		{"chat.mute", map[string]any{"participantId": tid, "muted": false}, mods(false)},
		{"hand.lowerAll", struct{}{}, mods(false)},
		{"stage.removeAll", struct{}{}, mods(false)},
		{"stage.setLimit", map[string]any{"limit": 6}, mods(false)},
		{"participant.stopCamera", map[string]any{"participantId": tid}, mods(false)},
		{"participant.mute", map[string]any{"participantId": tid}, mods(false)},
		{"poll.create", map[string]any{"question": "2+2?", "kind": "single", "options": []string{"3", "4"}}, mods(true)},
		{"chat.send", map[string]any{"text": "hello"}, map[token.Role]string{token.RoleTeacher: ok, token.RoleAssistant: ok, token.RoleStudent: ok, token.RoleObserver: forbidden}},
		{"question.ask", map[string]any{"text": "why?"}, map[token.Role]string{token.RoleStudent: ok, token.RoleObserver: forbidden}},
		{"hand.raise", struct{}{}, map[token.Role]string{token.RoleStudent: ok, token.RoleObserver: forbidden}},
		// Slides: moderators present, turn, point and close; the
		// students' refusals come before a deck is open, the moderators'
		// successes show the deck was there to move.
		{"slides.open", map[string]any{"materialId": "deck"}, mods(false)},
		{"slides.page", map[string]any{"page": 2}, mods(false)},
		{"slides.pointer", map[string]any{"x": 0.5, "y": 0.5}, mods(false)},
		{"slides.close", struct{}{}, mods(false)},
	}
	for _, r := range rows {
		for _, role := range []token.Role{token.RoleStudent, token.RoleObserver, token.RoleAssistant, token.RoleTeacher} {
			want, listed := r.want[role]
			if !listed {
				continue
			}
			t.Run(fmt.Sprintf("%s/%s", r.typ, role), func(t *testing.T) {
				got := code(req(t, byRole[role], r.typ, r.payload))
				if want == ok && got == "conflict" {
					got = ok // allowed, but already in that state (another role did it first)
				}
				if got != want {
					t.Fatalf("%s as %s: %s, want %s", r.typ, role, got, want)
				}
			})
		}
	}
	// lesson.end is the teacher's alone; check the refusals last.
	for _, role := range []token.Role{token.RoleAssistant, token.RoleStudent, token.RoleObserver} {
		if got := code(req(t, byRole[role], "lesson.end", struct{}{})); got != forbidden {
			t.Errorf("lesson.end as %s: %s", role, got)
		}
	}
	// Bad payloads and unknown types are refused precisely; the room goes on.
	if got := code(req(t, teacher, "poll.create", "nonsense")); got != "invalid" {
		t.Errorf("malformed poll: %s", got)
	}
	if got := code(req(t, teacher, "chat.send", map[string]any{"text": strings.Repeat("字", 2001)})); got != "too_long" {
		t.Errorf("long chat: %s", got)
	}
	if got := code(req(t, teacher, "chat.send", map[string]any{"text": "still here"})); got != ok {
		t.Errorf("room did not carry on: %s", got)
	}
}

func TestChatFloodAndPolls(t *testing.T) {
	ts := newServer(t)
	teacher := join(t, ts, "C", "teacher", token.RoleTeacher, nil)
	student := join(t, ts, "C", "student", token.RoleStudent, nil)
	limited := false
	for i := 0; i < 20 && !limited; i++ {
		limited = code(req(t, student, "chat.send", map[string]any{"text": fmt.Sprint("spam ", i)})) == "rate_limited"
	}
	if !limited {
		t.Fatal("20 chat messages in a row were not rate limited")
	}
	// The teacher's messages reach the student, as text.
	if got := code(req(t, teacher, "chat.send", map[string]any{"text": "<img src=x onerror=alert(1)>"})); got != "ok" {
		t.Fatalf("teacher chat: %s", got)
	}
	if _, ok := student.WaitEvent("chat.message", 3*time.Second, func(e signaling.Envelope) bool {
		return strings.Contains(string(e.Payload), `\u003cimg src=x onerror=alert(1)\u003e`)
	}); !ok {
		t.Fatal("student did not receive the teacher's message verbatim")
	}
	// A poll: vote once, a second vote is a conflict, a closed poll refuses.
	if got := code(req(t, teacher, "poll.create", map[string]any{"question": "Ready?", "kind": "yesno"})); got != "ok" {
		t.Fatalf("poll.create: %s", got)
	}
	ev, ok := student.WaitEvent("poll.opened", 3*time.Second, nil)
	if !ok {
		t.Fatal("no poll.opened")
	}
	var poll struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(ev.Payload, &poll)
	vote := map[string]any{"pollId": poll.ID, "choices": []int{0}}
	if got := code(req(t, student, "poll.vote", vote)); got != "ok" {
		t.Fatalf("vote: %s", got)
	}
	if got := code(req(t, student, "poll.vote", vote)); got != "conflict" {
		t.Fatalf("second vote: %s, want conflict", got)
	}
	if got := code(req(t, student, "poll.changeVote", map[string]any{"pollId": poll.ID, "choices": []int{1}})); got != "ok" {
		t.Fatalf("change vote: %s", got)
	}
	if _, ok := teacher.WaitEvent("poll.counts", 3*time.Second, nil); !ok {
		t.Fatal("teacher saw no live counts")
	}
	if got := code(req(t, teacher, "poll.close", map[string]any{"pollId": poll.ID})); got != "ok" {
		t.Fatalf("close: %s", got)
	}
	if _, ok := student.WaitEvent("poll.results", 3*time.Second, nil); !ok {
		t.Fatal("student saw no results")
	}
	if got := code(req(t, student, "poll.changeVote", map[string]any{"pollId": poll.ID, "choices": []int{0}})); got != "poll_closed" {
		t.Fatalf("vote on closed poll: %s, want poll_closed", got)
	}
}

func TestRemovedAndBannedCannotReturn(t *testing.T) {
	ts := newServer(t)
	teacher := join(t, ts, "B", "teacher", token.RoleTeacher, nil)
	student := join(t, ts, "B", "student", token.RoleStudent, nil)
	if got := code(req(t, teacher, "participant.remove", map[string]any{"participantId": student.Joined.Participant.ID, "ban": true})); got != "ok" {
		t.Fatalf("remove: %s", got)
	}
	select {
	case <-student.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("removed student still connected")
	}
	if got := student.CloseStatus(); got != signaling.CloseRemoved {
		t.Fatalf("close status %d, want %d", got, signaling.CloseRemoved)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := peer.Join(ctx, ts.wsURL(), ts.token(t, "B", "student", token.RoleStudent), nil)
	if !peer.IsError(err, "banned") {
		t.Fatalf("banned student rejoined: %v", err)
	}
}

// TestStageWithMedia: a student invited to the stage publishes, everyone
// receives it; removal stops it at the server.
func TestStageWithMedia(t *testing.T) {
	ts := newServer(t)
	ctx := context.Background()
	teacherSub := peer.Viewer(t)
	teacher := join(t, ts, "S", "teacher", token.RoleTeacher, teacherSub)
	viewerSub := peer.Viewer(t)
	join(t, ts, "S", "viewer", token.RoleStudent, viewerSub)
	speakerSub := peer.Viewer(t)
	speaker := join(t, ts, "S", "speaker", token.RoleStudent, speakerSub)
	sid := speaker.Joined.Participant.ID

	if err := speaker.Publish(ctx, newPublisher(t)); !peer.IsError(err, signaling.CodeForbidden) {
		t.Fatalf("publishing before the stage: %v", err)
	}
	if got := code(req(t, teacher, "stage.invite", map[string]any{"participantId": sid})); got != "ok" {
		t.Fatalf("invite: %s", got)
	}
	if _, ok := speaker.WaitEvent("stage.invited", 3*time.Second, nil); !ok {
		t.Fatal("no invitation")
	}
	if got := code(req(t, speaker, "stage.accept", struct{}{})); got != "ok" {
		t.Fatalf("accept: %s", got)
	}
	peer.Publishes(t, ctx, speaker, peer.NewTeacher) // on stage
	for name, s := range map[string]*peer.Subscriber{"teacher": teacherSub, "viewer": viewerSub} {
		v := s.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second)
		if v == nil || !v.WaitKeyframe(3*time.Second) {
			t.Fatalf("%s did not receive the student's video", name)
		}
		if v.StreamID != sid {
			t.Fatalf("%s: stream %q, want the speaker %q", name, v.StreamID, sid)
		}
	}

	// A moderator's mute stops the audio at the server.
	if got := code(req(t, teacher, "participant.mute", map[string]any{"participantId": sid})); got != "ok" {
		t.Fatalf("mute: %s", got)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		muted := true
		for _, tr := range ts.sfu.Room("S").Participant(sid).Tracks() {
			if tr.Kind() == webrtc.RTPCodecTypeAudio && tr.Forwarding() {
				muted = false
			}
		}
		if muted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("audio still forwarded after the mute")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Removal from the stage stops forwarding at once, whatever the client does.
	if got := code(req(t, teacher, "stage.remove", map[string]any{"participantId": sid})); got != "ok" {
		t.Fatalf("remove: %s", got)
	}
	if _, ok := viewerSub.WaitTrack(webrtc.RTPCodecTypeVideo, 0), true; !ok {
		t.Fatal("unreachable")
	}
	deadline = time.Now().Add(3 * time.Second)
	for len(ts.sfu.Room("S").Participant(sid).Tracks()) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the student's tracks survived removal from the stage")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Packets sent before the removal may still be on their way to a
	// loaded client: let its count settle (a server still forwarding never
	// lets it, 30 packets a second), then it must stay still.
	v := viewerSub.WaitTrack(webrtc.RTPCodecTypeVideo, 0)
	settled := false
	for prev, end := v.Stats().Packets, time.Now().Add(3*time.Second); !settled && time.Now().Before(end); {
		time.Sleep(300 * time.Millisecond)
		cur := v.Stats().Packets
		settled, prev = cur == prev, cur
	}
	if !settled {
		t.Fatal("viewer still receiving the removed student's video 3 s after the removal")
	}
	before := v.Stats().Packets
	time.Sleep(500 * time.Millisecond)
	if after := v.Stats().Packets; after-before > 2 {
		t.Fatalf("viewer still receiving the removed student's video: %d packets", after-before)
	}
	if err := speaker.Publish(ctx, newPublisher(t)); !peer.IsError(err, signaling.CodeForbidden) {
		t.Fatalf("publishing after removal: %v", err)
	}
}
