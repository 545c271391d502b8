package live

import (
	"testing"

	"github.com/lectern/lectern/token"
)

func boolp(b bool) *bool { return &b }

func stageLesson(t *testing.T) *Lesson {
	t.Helper()
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "a", token.RoleAssistant)
	join(t, l, "s", token.RoleStudent)
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
	ok(t)(l.AcceptStage(ctx, "s", StageAccept{}))
	return l
}

func TestMuteAskUnmuteFlow(t *testing.T) {
	l := stageLesson(t)
	r := ok(t)(l.Mute(ctx, "a", ParticipantMute{ParticipantID: "s"}))
	if e := effects(r, EffectMuteAudio); len(e) != 1 || e[0].Participant != "s" {
		t.Fatalf("effects = %+v", r.Effects)
	}
	if m := events(r, EvMediaMuted); len(m) != 1 || m[0].To != only("s") {
		t.Fatalf("events = %+v", r.Events)
	}
	_, err := l.Mute(ctx, "t", ParticipantMute{ParticipantID: "s"})
	wantCode(t, err, CodeConflict)

	// The student cannot unmute until asked.
	_, err = l.SetMediaState(ctx, "s", MediaState{Muted: boolp(false)})
	wantCode(t, err, CodeForbidden)

	r = ok(t)(l.AskUnmute(ctx, "t", ParticipantAskUnmute{ParticipantID: "s"}))
	if m := events(r, EvMediaUnmuteRequested); len(m) != 1 || m[0].To != only("s") {
		t.Fatalf("ask = %+v", r.Events)
	}
	if len(r.Effects) != 0 {
		t.Fatal("asking must not unmute by itself")
	}
	r = ok(t)(l.SetMediaState(ctx, "s", MediaState{Muted: boolp(false)}))
	if len(effects(r, EffectUnmuteAudio)) != 1 {
		t.Fatalf("unmute effects = %+v", r.Effects)
	}
	_, err = l.AskUnmute(ctx, "t", ParticipantAskUnmute{ParticipantID: "s"})
	wantCode(t, err, CodeConflict)

	// Self mute and unmute need no effect.
	r = ok(t)(l.SetMediaState(ctx, "s", MediaState{Muted: boolp(true)}))
	r2 := ok(t)(l.SetMediaState(ctx, "s", MediaState{Muted: boolp(false)}))
	if len(r.Effects)+len(r2.Effects) != 0 {
		t.Fatal("self mute produced effects")
	}
	_, err = l.SetMediaState(ctx, "s", MediaState{})
	wantCode(t, err, CodeInvalid)
}

func TestStopCamera(t *testing.T) {
	l := stageLesson(t)
	r := ok(t)(l.StopCamera(ctx, "t", ParticipantStopCamera{ParticipantID: "s"}))
	if len(effects(r, EffectStopVideo)) != 1 || len(events(r, EvMediaCameraStopped)) != 1 {
		t.Fatalf("stop camera = %+v / %+v", r.Effects, r.Events)
	}
	_, err := l.StopCamera(ctx, "t", ParticipantStopCamera{ParticipantID: "s"})
	wantCode(t, err, CodeConflict)
	r = ok(t)(l.SetMediaState(ctx, "s", MediaState{CameraOff: boolp(false)}))
	if len(effects(r, EffectResumeVideo)) != 1 {
		t.Fatalf("resume = %+v", r.Effects)
	}
}

func TestModeratorTargetsRankBelow(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "t2", token.RoleTeacher)
	join(t, l, "a", token.RoleAssistant)
	join(t, l, "a2", token.RoleAssistant)
	tests := []struct{ actor, target, code string }{
		{"t", "a", ""},
		{"t", "t2", CodeForbidden},
		{"a", "a2", CodeForbidden},
		{"a", "t", CodeForbidden},
		{"t", "t", CodeForbidden},
	}
	for _, tc := range tests {
		_, err := l.Mute(ctx, tc.actor, ParticipantMute{ParticipantID: tc.target})
		if CodeOf(err) != tc.code {
			t.Errorf("%s mutes %s: %v, want %q", tc.actor, tc.target, err, tc.code)
		}
	}
}

func TestRemoveAndBan(t *testing.T) {
	for _, ban := range []bool{false, true} {
		l := stageLesson(t)
		r := ok(t)(l.Remove(ctx, "a", ParticipantRemove{ParticipantID: "s", Ban: ban}))
		rm := events(r, EvParticipantRemoved)
		if len(rm) != 1 || rm[0].To != only("s") || rm[0].Payload.(Removed).Banned != ban {
			t.Fatalf("removed = %+v", r.Events)
		}
		left := events(r, EvParticipantLeft)
		if len(left) != 1 || left[0].To != everyoneExcept("s") {
			t.Fatalf("left = %+v", r.Events)
		}
		if len(effects(r, EffectRevokePublish)) != 1 || len(effects(r, EffectDisconnect)) != 1 {
			t.Fatalf("effects = %+v", r.Effects)
		}
		// The removed participant still gets their notice through Route.
		d := l.Route(r.Events)
		got := false
		for _, x := range d {
			if x.Type == EvParticipantRemoved && len(x.To) == 1 && x.To[0] == "s" {
				got = true
			}
		}
		if !got {
			t.Fatalf("route lost participant.removed: %+v", d)
		}
		_, err := l.Join(ctx, JoinRequest{ConnID: "s2", UserID: "u-s", Role: token.RoleStudent})
		if ban {
			wantCode(t, err, CodeBanned)
		} else {
			wantCode(t, err, "")
		}
	}
}

func TestLockAndEnd(t *testing.T) {
	l := stageLesson(t)
	r := ok(t)(l.Lock(ctx, "a", LessonLock{Locked: true}))
	if u := events(r, EvLessonUpdated); len(u) != 1 || !u[0].Payload.(Settings).Locked {
		t.Fatalf("lock = %+v", r.Events)
	}
	_, err := l.Join(ctx, JoinRequest{ConnID: "late", UserID: "late", Role: token.RoleStudent})
	wantCode(t, err, CodeLocked)

	ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "ok?", Kind: PollYesNo}))
	_, err = l.End(ctx, "a", LessonEnd{})
	wantCode(t, err, CodeForbidden)
	r = ok(t)(l.End(ctx, "t", LessonEnd{}))
	if len(effects(r, EffectEndLesson)) != 1 || len(events(r, EvLessonEnded)) != 1 || len(events(r, EvPollResults)) != 1 {
		t.Fatalf("end = %+v / %+v", r.Events, r.Effects)
	}
	if !l.Ended() {
		t.Fatal("not ended")
	}
	_, err = l.SendChat(ctx, "s", ChatSend{Text: "hi"})
	wantCode(t, err, CodeEnded)
	if r := l.Tick(ctx, l.now().Add(DefaultReconnectGrace*2)); len(r.Events) != 0 {
		t.Fatal("tick after end")
	}
}
