package live

import (
	"fmt"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

func TestStageAcceptGrantsAndLowersHand(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	ok(t)(l.RaiseHand(ctx, "s", HandRaise{}))
	r := ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
	inv := events(r, EvStageInvited)
	if len(inv) != 1 || inv[0].To != moderatorsAnd("s") {
		t.Fatalf("invite events = %+v", r.Events)
	}
	r = ok(t)(l.AcceptStage(ctx, "s", StageAccept{}))
	g := effects(r, EffectGrantPublish)
	if len(g) != 1 || g[0].Participant != "s" || len(g[0].Sources) != 2 ||
		g[0].Sources[0] != SourceCamera || g[0].Sources[1] != SourceMicrophone {
		t.Fatalf("grant = %+v", r.Effects)
	}
	if lw := events(r, EvHandLowered); len(lw) != 1 || lw[0].Payload.(HandLowered).Reason != "stage" {
		t.Fatalf("hand not lowered on stage: %+v", r.Events)
	}
	if len(events(r, EvStageJoined)) != 1 {
		t.Fatal("no stage.joined")
	}
	if st := l.Stage(); len(st) != 1 || st[0] != "s" {
		t.Fatalf("stage = %v", st)
	}
	_, err := l.RaiseHand(ctx, "s", HandRaise{})
	wantCode(t, err, CodeConflict)

	r = ok(t)(l.RemoveFromStage(ctx, "t", StageRemove{ParticipantID: "s"}))
	if rv := effects(r, EffectRevokePublish); len(rv) != 1 || rv[0].Participant != "s" {
		t.Fatalf("revoke = %+v", r.Effects)
	}
	_, err = l.RemoveFromStage(ctx, "t", StageRemove{ParticipantID: "s"})
	wantCode(t, err, CodeConflict)
}

func TestStageLimit(t *testing.T) {
	l, _ := newTestLesson(t, WithStageLimit(2))
	join(t, l, "t", token.RoleTeacher)
	for i := range 4 {
		join(t, l, fmt.Sprint("s", i), token.RoleStudent)
	}
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s0"}))
	ok(t)(l.AcceptStage(ctx, "s0", StageAccept{}))
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s1"})) // pending counts
	_, err := l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s2"})
	wantCode(t, err, CodeStageFull)

	// Lowering the limit under the pending invite: accepting is refused.
	ok(t)(l.SetStageLimit(ctx, "t", StageSetLimit{Limit: 1}))
	r, err := l.AcceptStage(ctx, "s1", StageAccept{})
	wantCode(t, err, CodeStageFull)
	if len(events(r, EvStageDeclined)) != 1 {
		t.Fatalf("invite should be cancelled: %+v", r.Events)
	}
	_, err = l.SetStageLimit(ctx, "t", StageSetLimit{Limit: MaxStageLimit + 1})
	wantCode(t, err, CodeInvalid)

	ok(t)(l.SetStageLimit(ctx, "t", StageSetLimit{Limit: 3}))
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s2"}))
	ok(t)(l.AcceptStage(ctx, "s2", StageAccept{}))
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s3"}))
	r = ok(t)(l.ClearStage(ctx, "t", StageRemoveAll{}))
	if len(effects(r, EffectRevokePublish)) != 2 || len(events(r, EvStageDeclined)) != 1 {
		t.Fatalf("clear = %+v / %+v", r.Effects, r.Events)
	}
	if len(l.Stage()) != 0 {
		t.Fatal("stage not empty")
	}
}

func TestStageInviteTimeout(t *testing.T) {
	l, c := newTestLesson(t, WithInviteTimeout(20*time.Second))
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	join(t, l, "s2", token.RoleStudent)
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s2"}))
	r := l.Tick(ctx, c.Add(19*time.Second))
	if len(r.Events) != 0 {
		t.Fatalf("early expiry: %+v", r.Events)
	}
	c.Add(time.Second)
	// Accepting at the deadline, before any Tick, is refused too.
	r, err := l.AcceptStage(ctx, "s2", StageAccept{})
	wantCode(t, err, CodeConflict)
	if d := events(r, EvStageDeclined); len(d) != 1 || d[0].Payload.(StageDeclined).Reason != "expired" {
		t.Fatalf("events = %+v", r.Events)
	}
	r = l.Tick(ctx, c.Now())
	d := events(r, EvStageDeclined)
	if len(d) != 1 || d[0].Payload.(StageDeclined).Reason != "expired" || d[0].To != moderatorsAnd("s") {
		t.Fatalf("tick events = %+v", r.Events)
	}
	_, err = l.AcceptStage(ctx, "s", StageAccept{})
	wantCode(t, err, CodeNotFound)
}

func TestStageDeclineLeaveAndInviteRules(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "a", token.RoleAssistant)
	join(t, l, "o", token.RoleObserver)
	join(t, l, "s", token.RoleStudent)
	join(t, l, "gone", token.RoleStudent)
	l.Leave(ctx, "gone")

	for _, tc := range []struct {
		target, code string
	}{
		{"o", CodeInvalid}, {"a", CodeInvalid}, {"t", CodeForbidden}, {"zz", CodeNotFound},
		{"gone", CodeConflict}, {"", CodeInvalid},
	} {
		_, err := l.InviteToStage(ctx, "t", StageInvite{ParticipantID: tc.target})
		if CodeOf(err) != tc.code {
			t.Errorf("invite %q: %v, want %s", tc.target, err, tc.code)
		}
	}
	ok(t)(l.InviteToStage(ctx, "a", StageInvite{ParticipantID: "s"}))
	_, err := l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"})
	wantCode(t, err, CodeConflict)
	r := ok(t)(l.DeclineStage(ctx, "s", StageDecline{}))
	if d := events(r, EvStageDeclined); len(d) != 1 || d[0].Payload.(StageDeclined).Reason != "declined" {
		t.Fatalf("decline = %+v", r.Events)
	}
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
	r = ok(t)(l.RemoveFromStage(ctx, "a", StageRemove{ParticipantID: "s"}))
	if d := events(r, EvStageDeclined); len(d) != 1 || d[0].Payload.(StageDeclined).Reason != "cancelled" {
		t.Fatalf("cancel = %+v", r.Events)
	}
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
	ok(t)(l.AcceptStage(ctx, "s", StageAccept{}))
	r = ok(t)(l.LeaveStage(ctx, "s", StageLeave{}))
	if len(effects(r, EffectRevokePublish)) != 1 {
		t.Fatalf("leave stage = %+v", r.Effects)
	}
}

func TestStageStudentLeavingForGoodIsRevoked(t *testing.T) {
	l, c := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
	ok(t)(l.AcceptStage(ctx, "s", StageAccept{}))
	l.Leave(ctx, "s")
	r := l.Tick(ctx, c.Add(time.Minute))
	if len(effects(r, EffectRevokePublish)) != 1 || len(events(r, EvStageLeft)) != 1 || len(events(r, EvParticipantLeft)) != 1 {
		t.Fatalf("tick = %+v / %+v", r.Events, r.Effects)
	}
	if len(l.Stage()) != 0 {
		t.Fatal("stage still holds the student")
	}
}

// TestStageRefusesRemoteStudents: a student whose media an edge node
// serves (Remote) cannot be invited on stage; once it joins directly
// (resuming, not Remote) it can.
func TestStageRefusesRemoteStudents(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	if _, err := l.Join(ctx, JoinRequest{ConnID: "s", UserID: "u-s", Name: "s", Role: token.RoleStudent,
		Perms: token.DefaultPermissions(token.RoleStudent), Remote: true}); err != nil {
		t.Fatal(err)
	}
	ok(t)(l.RaiseHand(ctx, "s", HandRaise{}))
	_, err := l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"})
	wantCode(t, err, CodeInvalid)
	jr, err := l.Join(ctx, JoinRequest{ConnID: "s2", UserID: "u-s", Name: "s", Role: token.RoleStudent,
		Perms: token.DefaultPermissions(token.RoleStudent)})
	if err != nil || !jr.Resumed || jr.ParticipantID != "s" {
		t.Fatalf("resume: %+v, %v", jr, err)
	}
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
}
