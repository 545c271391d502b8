package live

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// command runs a client command through Dispatch, as signalling does.
func command(t *testing.T, l *Lesson, actor, typ string, payload any) Result {
	t.Helper()
	b, _ := json.Marshal(payload)
	r, err := l.Dispatch(ctx, actor, typ, b)
	if err != nil {
		t.Fatalf("%s by %s: %v", typ, actor, err)
	}
	return r
}

// TestRestoreRoomState: lock, chat settings, the stage limit, a ban, the
// hands queue, the stage and moderators' mutes survive a crash; the
// students resume their places by joining again, and places whose owners
// never come back go after the reconnection grace.
func TestRestoreRoomState(t *testing.T) {
	st := NewMemoryStore()
	l1, c := newTestLesson(t, WithStore(st))
	join(t, l1, "t", token.RoleTeacher)
	for _, s := range []string{"s1", "s2", "s3", "s4", "s5"} {
		join(t, l1, s, token.RoleStudent)
	}
	command(t, l1, "s1", MsgHandRaise, nil)
	c.Add(time.Second)
	command(t, l1, "s2", MsgHandRaise, nil)
	c.Add(time.Second)
	command(t, l1, "s5", MsgHandRaise, nil)
	command(t, l1, "t", MsgStageInvite, StageInvite{ParticipantID: "s3"})
	command(t, l1, "s3", MsgStageAccept, nil)
	command(t, l1, "t", MsgParticipantMute, ParticipantMute{ParticipantID: "s3"})
	command(t, l1, "t", MsgChatMute, ChatMute{ParticipantID: "s2", Muted: true})
	command(t, l1, "t", MsgParticipantRemove, ParticipantRemove{ParticipantID: "s4", Ban: true})
	command(t, l1, "t", MsgLessonLock, LessonLock{Locked: true})
	command(t, l1, "t", MsgChatEnable, ChatEnable{Enabled: false})
	command(t, l1, "t", MsgChatSlow, ChatSlow{Seconds: 30})
	command(t, l1, "t", MsgStageSetLimit, StageSetLimit{Limit: 4})
	// The process dies here, with everyone in the room.
	c.Add(time.Minute)

	l2 := New("lesson-1", WithStore(st), WithClock(c.Now), WithIDGenerator(seqIDs()))
	if err := l2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	want := Settings{ID: "lesson-1", Locked: true, ChatEnabled: false, SlowModeSeconds: 30, StageLimit: 4}
	if got := l2.Settings(); got != want {
		t.Fatalf("settings = %+v, want %+v", got, want)
	}
	if got := l2.Stage(); len(got) != 1 || got[0] != "s3" {
		t.Fatalf("stage = %v", got)
	}
	// The ban holds; the lock keeps newcomers out.
	_, err := l2.Join(ctx, JoinRequest{ConnID: "s4b", UserID: "u-s4", Name: "s4", Role: token.RoleStudent})
	wantCode(t, err, CodeBanned)
	_, err = l2.Join(ctx, JoinRequest{ConnID: "new", UserID: "u-new", Name: "new", Role: token.RoleStudent})
	wantCode(t, err, CodeLocked)

	// The students come back on new connections and get their places.
	rejoin := func(user, conn string) JoinResult {
		t.Helper()
		jr, err := l2.Join(ctx, JoinRequest{ConnID: conn, UserID: user, Name: user, Role: token.RoleStudent,
			Perms: token.DefaultPermissions(token.RoleStudent)})
		if err != nil {
			t.Fatalf("rejoin %s: %v", user, err)
		}
		return jr
	}
	s2 := rejoin("u-s2", "s2-new")
	if !s2.Resumed || s2.ParticipantID != "s2" || s2.Snapshot.Self.HandPosition != 2 || !s2.Snapshot.Self.ChatMuted {
		t.Fatalf("s2 back: resumed %v as %s, hand %d, chat muted %v", s2.Resumed, s2.ParticipantID,
			s2.Snapshot.Self.HandPosition, s2.Snapshot.Self.ChatMuted)
	}
	_, err = l2.SendChat(ctx, "s2", ChatSend{Text: "still muted?"})
	if err == nil {
		t.Fatal("a chat-muted student posted after the restart")
	}
	s3 := rejoin("u-s3", "s3-new")
	if !s3.Resumed || s3.ParticipantID != "s3" || !s3.Snapshot.Self.MutedByModerator ||
		len(effects(s3.Result, EffectGrantPublish)) != 1 || len(effects(s3.Result, EffectMuteAudio)) != 1 {
		t.Fatalf("s3 back: %+v, self %+v", s3.Result, s3.Snapshot.Self)
	}
	teacher, err := l2.Join(ctx, JoinRequest{ConnID: "t-new", UserID: "u-t", Name: "t", Role: token.RoleTeacher,
		Perms: token.DefaultPermissions(token.RoleTeacher)})
	if err != nil {
		t.Fatal(err)
	}
	if h := teacher.Snapshot.Hands; len(h) != 3 || h[0].ParticipantID != "s1" || h[1].ParticipantID != "s2" || h[2].ParticipantID != "s5" {
		t.Fatalf("hands after restart = %+v", h)
	}

	// s1 and s5 never come back: after the grace their hands go, and the
	// stored state forgets them (another restart does not bring them back).
	r := l2.Tick(ctx, c.Add(DefaultReconnectGrace+time.Second))
	if len(events(r, EvParticipantLeft)) != 2 {
		t.Fatalf("after the grace: %+v", r.Events)
	}
	rs, err := st.RoomState(ctx, "lesson-1")
	if err != nil || len(rs.Hands) != 1 || rs.Hands[0].ParticipantID != "s2" || len(rs.Stage) != 1 {
		t.Fatalf("stored after the grace: %+v, %v", rs, err)
	}
	for _, a := range mustAttendance(t, st) {
		if a.ParticipantID == "s1" && !a.Joined.Before(c.Now().Add(-DefaultReconnectGrace)) {
			t.Errorf("s1, who never came back, got an interval after the restart: %+v", a)
		}
	}

	// Unlocking is stored too.
	command(t, l2, "t-new", MsgLessonLock, LessonLock{Locked: false})
	if rs, _ := st.RoomState(ctx, "lesson-1"); rs.Locked {
		t.Fatal("unlock not stored")
	}
}

func mustAttendance(t *testing.T, st Store) []Attendance {
	t.Helper()
	as, err := st.ListAttendance(ctx, "lesson-1")
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// TestEndWithRestoredPlaces: ending a lesson while places restored after a
// restart are still unclaimed records no attendance for them.
func TestEndWithRestoredPlaces(t *testing.T) {
	st := NewMemoryStore()
	l1, c := newTestLesson(t, WithStore(st))
	join(t, l1, "t", token.RoleTeacher)
	join(t, l1, "s", token.RoleStudent)
	command(t, l1, "s", MsgHandRaise, nil)
	c.Add(time.Minute)
	l2 := New("lesson-1", WithStore(st), WithClock(c.Now), WithIDGenerator(seqIDs()))
	if err := l2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(mustAttendance(t, st))
	join(t, l2, "t2", token.RoleTeacher)
	ok(t)(l2.End(ctx, "t2", LessonEnd{}))
	as := mustAttendance(t, st)
	if len(as) != before+1 {
		t.Fatalf("attendance after End: %+v", as)
	}
	for _, a := range as {
		if a.Joined.IsZero() {
			t.Errorf("interval without a start: %+v", a)
		}
	}
}
