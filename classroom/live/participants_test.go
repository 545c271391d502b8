package live

import (
	"context"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

func TestJoinEmitsJoinedToOthers(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	jr := join(t, l, "s", token.RoleStudent)
	if jr.ParticipantID != "s" || jr.Resumed {
		t.Fatalf("join result = %+v", jr)
	}
	ev := events(jr.Result, EvParticipantJoined)
	if len(ev) != 1 {
		t.Fatalf("want one participant.joined, got %+v", jr.Events)
	}
	if _, ok := ev[0].For("s", token.RoleStudent); ok {
		t.Error("joiner should not receive their own participant.joined")
	}
	if p, ok := ev[0].For("t", token.RoleTeacher); !ok || p.(ParticipantInfo).Role != token.RoleStudent {
		t.Errorf("teacher got %v %v", p, ok)
	}
	if got := len(jr.Snapshot.Participants); got != 2 {
		t.Errorf("snapshot has %d participants, want 2", got)
	}
}

func TestJoinRefusals(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "bad", token.RoleStudent)
	ok(t)(l.Remove(ctx, "t", ParticipantRemove{ParticipantID: "bad", Ban: true}))
	ok(t)(l.Lock(ctx, "t", LessonLock{Locked: true}))

	tests := []struct {
		name string
		req  JoinRequest
		code string
	}{
		{"missing ids", JoinRequest{Role: token.RoleStudent}, CodeInvalid},
		{"bad role", JoinRequest{ConnID: "c", UserID: "u", Role: "admin"}, CodeInvalid},
		{"long name", JoinRequest{ConnID: "c", UserID: "u", Role: token.RoleStudent, Name: string(make([]rune, 201))}, CodeInvalid},
		{"banned", JoinRequest{ConnID: "c2", UserID: "u-bad", Role: token.RoleStudent}, CodeBanned},
		{"locked student", JoinRequest{ConnID: "c3", UserID: "u3", Role: token.RoleStudent}, CodeLocked},
		{"locked observer", JoinRequest{ConnID: "c4", UserID: "u4", Role: token.RoleObserver}, CodeLocked},
		{"locked assistant ok", JoinRequest{ConnID: "c5", UserID: "u5", Role: token.RoleAssistant}, ""},
		{"reused conn id", JoinRequest{ConnID: "t", UserID: "u6", Role: token.RoleAssistant}, CodeConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.Join(ctx, tc.req)
			wantCode(t, err, tc.code)
		})
	}
	ok(t)(l.End(ctx, "t", LessonEnd{}))
	_, err := l.Join(ctx, JoinRequest{ConnID: "c9", UserID: "u9", Role: token.RoleTeacher})
	wantCode(t, err, CodeEnded)
}

func TestReconnectWithinGraceKeepsPlaces(t *testing.T) {
	l, c := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s1", token.RoleStudent)
	join(t, l, "s2", token.RoleStudent)
	join(t, l, "s3", token.RoleStudent)
	ok(t)(l.RaiseHand(ctx, "s1", HandRaise{}))
	ok(t)(l.RaiseHand(ctx, "s2", HandRaise{}))
	ok(t)(l.RaiseHand(ctx, "s3", HandRaise{}))
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s3"}))
	ok(t)(l.AcceptStage(ctx, "s3", StageAccept{}))

	// s1 (hand first in queue) and s3 (on stage) drop.
	for _, id := range []string{"s1", "s3"} {
		r := l.Leave(ctx, id)
		if len(events(r, EvParticipantLeft)) != 0 {
			t.Fatalf("leave of %s emitted participant.left", id)
		}
		if u := events(r, EvParticipantUpdated); len(u) != 1 || !u[0].Payload.(ParticipantInfo).Reconnecting {
			t.Fatalf("leave should mark reconnecting: %+v", r.Events)
		}
	}
	c.Add(59 * time.Second)
	if r := l.Tick(ctx, c.Now()); len(r.Events) != 0 {
		t.Fatalf("tick within grace: %+v", r.Events)
	}
	// Both come back on new connections.
	jr, err := l.Join(ctx, JoinRequest{ConnID: "s1-b", UserID: "u-s1", Name: "s1", Role: token.RoleStudent})
	if err != nil {
		t.Fatal(err)
	}
	if !jr.Resumed || jr.ParticipantID != "s1" {
		t.Fatalf("resume = %+v", jr)
	}
	if len(events(jr.Result, EvParticipantJoined)) != 0 || len(events(jr.Result, EvParticipantLeft)) != 0 {
		t.Fatalf("resume emitted joined/left: %+v", jr.Events)
	}
	if jr.Snapshot.Self.HandPosition != 1 {
		t.Errorf("hand position = %d, want 1", jr.Snapshot.Self.HandPosition)
	}
	jr3, err := l.Join(ctx, JoinRequest{ConnID: "s3-b", UserID: "u-s3", Name: "s3", Role: token.RoleTeacher})
	if err != nil {
		t.Fatal(err)
	}
	if jr3.Snapshot.You.Role != token.RoleStudent {
		t.Errorf("role changed on resume: %v", jr3.Snapshot.You.Role)
	}
	if !jr3.Snapshot.You.OnStage || len(effects(jr3.Result, EffectGrantPublish)) != 1 {
		t.Errorf("stage place not kept: %+v / %+v", jr3.Snapshot.You, jr3.Effects)
	}
	c.Add(10 * time.Second)
	if r := l.Tick(ctx, c.Now()); len(r.Events) != 0 {
		t.Fatalf("tick after resume: %+v", r.Events)
	}
	// The old connection closing late does not disturb the new one.
	if r := l.Leave(ctx, "s1"); len(r.Events) != 0 {
		t.Fatalf("stale leave: %+v", r.Events)
	}
	if ps := l.Participants(); len(ps) != 4 || ps[1].Reconnecting {
		t.Fatalf("participants = %+v", ps)
	}
}

func TestGraceExpiryLeaves(t *testing.T) {
	l, c := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	ok(t)(l.RaiseHand(ctx, "s", HandRaise{}))
	l.Leave(ctx, "s")
	r := l.Tick(ctx, c.Add(DefaultReconnectGrace))
	if len(events(r, EvParticipantLeft)) != 1 || len(events(r, EvHandsQueue)) != 1 {
		t.Fatalf("events = %+v", r.Events)
	}
	jr := join(t, l, "s-new", token.RoleStudent) // ConnID differs; user differs too ("u-s-new")
	if jr.Resumed {
		t.Fatal("should be a fresh join")
	}
	jr2, err := l.Join(ctx, JoinRequest{ConnID: "s-again", UserID: "u-s", Name: "s", Role: token.RoleStudent})
	if err != nil || jr2.Resumed || jr2.ParticipantID != "s-again" || jr2.Snapshot.Self.HandPosition != 0 {
		t.Fatalf("rejoin after grace = %+v, %v", jr2, err)
	}
	// The old id is gone.
	_, err = l.RaiseHand(ctx, "s", HandRaise{})
	wantCode(t, err, CodeNotFound)
}

func TestSecondConnectionReplacesFirst(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "s", token.RoleStudent)
	jr, err := l.Join(ctx, JoinRequest{ConnID: "tab2", UserID: "u-s", Name: "s", Role: token.RoleStudent})
	if err != nil {
		t.Fatal(err)
	}
	d := effects(jr.Result, EffectDisconnect)
	if len(d) != 1 || d[0].Conn != "s" || d[0].Reason != "replaced" {
		t.Fatalf("effects = %+v", jr.Effects)
	}
	if r := l.Leave(ctx, "s"); len(r.Events) != 0 {
		t.Fatal("closing the replaced connection must not mark the participant away")
	}
	if rs := l.Recipients(); len(rs) != 1 || rs[0].ID != "s" {
		t.Fatalf("recipients = %+v", rs)
	}
}

func TestSpeakingAndQuality(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "s", token.RoleStudent)
	r := l.SetSpeaking("s", true)
	if len(r.Events) != 1 || r.Events[0].Type != EvParticipantSpeaking || r.Events[0].To != everyone() {
		t.Fatalf("speaking: %+v, want one participant.speaking to everyone", r.Events)
	}
	if got, want := r.Events[0].Payload, (SpeakingChanged{ParticipantID: "s", Speaking: true}); got != want {
		t.Fatalf("speaking payload %+v, want the delta %+v", got, want)
	}
	if r := l.SetSpeaking("s", true); len(r.Events) != 0 {
		t.Fatal("update without change")
	}
	if r := l.SetQuality("s", QualityPoor); len(r.Events) != 1 || r.Events[0].Type != EvParticipantQuality ||
		r.Events[0].To != moderatorsAnd("s") || r.Events[0].Payload != (QualityChanged{ParticipantID: "s", Quality: QualityPoor}) {
		t.Fatalf("quality: %+v, want one participant.quality delta to the moderators and s", r.Events)
	}
	if r := l.SetQuality("s", QualityPoor); len(r.Events) != 0 {
		t.Fatal("quality update without change")
	}
	if r := l.SetQuality("s", "awful"); len(r.Events) != 0 {
		t.Fatal("accepted unknown quality")
	}
	if r := l.SetSpeaking("nobody", true); len(r.Events) != 0 {
		t.Fatal("update for unknown participant")
	}
	p := l.Participants()[0]
	if !p.Speaking || p.Quality != QualityPoor {
		t.Fatalf("participant = %+v", p)
	}
}

// TestQualityOnlyToModeratorsAndSelf: a participant's connection grade
// reaches the moderators and the participant, in snapshots as in deltas,
// and no copy everyone gets carries it (where it would go stale).
func TestQualityOnlyToModeratorsAndSelf(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "teacher", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	join(t, l, "other", token.RoleStudent)
	l.SetQuality("s", QualityPoor)
	quality := func(ps []ParticipantInfo, id string) Quality {
		for _, p := range ps {
			if p.ID == id {
				return p.Quality
			}
		}
		t.Fatalf("%s not in %+v", id, ps)
		return ""
	}
	snap := func(id string) Snapshot {
		s, err := l.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if q := quality(snap("teacher").Participants, "s"); q != QualityPoor {
		t.Fatalf("teacher's snapshot shows s as %q, want poor", q)
	}
	if s := snap("s"); s.You.Quality != QualityPoor {
		t.Fatalf("s's own snapshot: you = %+v, want quality poor", s.You)
	}
	if q := quality(snap("other").Participants, "s"); q != QualityUnknown {
		t.Fatalf("another student's snapshot shows s as %q, want no grade", q)
	}
	muted := true
	r, err := l.SetMediaState(ctx, "s", MediaState{Muted: &muted}) // participant.updated, to everyone
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, e := range r.Events {
		if p, isInfo := e.Payload.(ParticipantInfo); isInfo && e.Type == EvParticipantUpdated {
			sent++
			if p.Quality != QualityUnknown {
				t.Fatalf("participant.updated to everyone carries quality %q", p.Quality)
			}
		}
	}
	if sent != 1 {
		t.Fatalf("muting sent %d participant.updated, want 1: %+v", sent, r.Events)
	}
}

func TestDepartLeavesAtOnce(t *testing.T) {
	l := New("L", WithReconnectGrace(time.Minute))
	ctx := context.Background()
	if _, err := l.Join(ctx, JoinRequest{ConnID: "c1", UserID: "u1", Name: "A", Role: token.RoleStudent}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Join(ctx, JoinRequest{ConnID: "c2", UserID: "u2", Name: "B", Role: token.RoleTeacher}); err != nil {
		t.Fatal(err)
	}
	r := l.Depart(ctx, "c1")
	left := false
	for _, e := range r.Events {
		if e.Type == EvParticipantLeft {
			left = true
		}
	}
	if !left || len(l.Participants()) != 1 {
		t.Fatalf("depart: left=%v participants=%d", left, len(l.Participants()))
	}
	if r := l.Depart(ctx, "c1"); len(r.Events) != 0 {
		t.Fatal("a second depart produced events")
	}
}

// TestJoinNormalisesNames: the name from a join token is shown to everyone
// without bidi overrides or invisible characters, whoever signed it.
func TestJoinNormalisesNames(t *testing.T) {
	l, _ := newTestLesson(t)
	jr, err := l.Join(ctx, JoinRequest{ConnID: "s", UserID: "u-s", Name: "\u202Erehcaet\u200B  Bob\u2069", Role: token.RoleStudent})
	if err != nil {
		t.Fatal(err)
	}
	if got := jr.Snapshot.You.Name; got != "rehcaet Bob" {
		t.Fatalf("name = %q", got)
	}
	jr, err = l.Join(ctx, JoinRequest{ConnID: "g", UserID: "u-g", Name: "\u200B\u2066", Role: token.RoleStudent})
	if err != nil || jr.Snapshot.You.Name != "Guest" {
		t.Fatalf("invisible-only name: %q, %v", jr.Snapshot.You.Name, err)
	}
}
