package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/token"
)

// TestModerationSurvivesRestart runs a lesson on each backend, stops the
// store with everyone in the room, reopens the same database and checks
// that the ban, the lock, chat settings, the stage, the hands queue,
// mutes and answered questions come back, and that the students resume
// their places by joining again.
func TestModerationSurvivesRestart(t *testing.T) { forRestartBackends(t, testModerationRestart) }

func testModerationRestart(t *testing.T, cfg Config) {
	ctx := context.Background()
	c := &liveClock{t: time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)}
	ids := 0
	do := func(l *live.Lesson, actor, typ string, payload any) {
		t.Helper()
		b, _ := json.Marshal(payload)
		if _, err := l.Dispatch(ctx, actor, typ, b); err != nil {
			t.Fatalf("%s by %s: %v", typ, actor, err)
		}
	}

	st := openTest(t, cfg)
	l := newLiveLesson(st, c, &ids)
	liveJoin(t, l, "c-t", "u-t", token.RoleTeacher)
	for _, s := range []string{"s1", "s2", "s3", "s4"} {
		liveJoin(t, l, "c-"+s, "u-"+s, token.RoleStudent)
	}
	do(l, "c-s1", live.MsgQuestionAsk, live.QuestionAsk{Text: "Answered?"}) // id1
	do(l, "c-t", live.MsgQuestionAnswer, live.QuestionRef{QuestionID: "id1"})
	do(l, "c-s2", live.MsgHandRaise, nil)
	c.t = c.t.Add(time.Second)
	do(l, "c-s1", live.MsgHandRaise, nil)
	do(l, "c-t", live.MsgStageInvite, live.StageInvite{ParticipantID: "c-s3"})
	do(l, "c-s3", live.MsgStageAccept, nil)
	do(l, "c-t", live.MsgParticipantMute, live.ParticipantMute{ParticipantID: "c-s3"})
	do(l, "c-t", live.MsgChatMute, live.ChatMute{ParticipantID: "c-s1", Muted: true})
	do(l, "c-t", live.MsgParticipantRemove, live.ParticipantRemove{ParticipantID: "c-s4", Ban: true})
	do(l, "c-t", live.MsgLessonLock, live.LessonLock{Locked: true})
	do(l, "c-t", live.MsgChatSlow, live.ChatSlow{Seconds: 20})
	do(l, "c-t", live.MsgChatEnable, live.ChatEnable{Enabled: false})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// The server starts again on the same database.
	c.t = c.t.Add(30 * time.Second)
	st = openTest(t, cfg)
	l = newLiveLesson(st, c, &ids)
	if err := l.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if s := l.Settings(); !s.Locked || s.ChatEnabled || s.SlowModeSeconds != 20 {
		t.Errorf("settings after restart = %+v", s)
	}
	if _, err := l.Join(ctx, live.JoinRequest{ConnID: "c-s4b", UserID: "u-s4", Name: "s4", Role: token.RoleStudent}); live.CodeOf(err) != live.CodeBanned {
		t.Errorf("banned user rejoins: %v", err)
	}
	if _, err := l.Join(ctx, live.JoinRequest{ConnID: "c-x", UserID: "u-x", Name: "x", Role: token.RoleStudent}); live.CodeOf(err) != live.CodeLocked {
		t.Errorf("newcomer joins a locked lesson: %v", err)
	}
	teacher := liveJoin(t, l, "c-t2", "u-t", token.RoleTeacher)
	if h := teacher.Snapshot.Hands; len(h) != 2 || h[0].ParticipantID != "c-s2" || h[1].ParticipantID != "c-s1" {
		t.Errorf("hands after restart = %+v", h)
	}
	if s := teacher.Snapshot.Stage; len(s) != 1 || s[0] != "c-s3" {
		t.Errorf("stage after restart = %v", s)
	}
	s1 := liveJoin(t, l, "c-s1b", "u-s1", token.RoleStudent)
	if !s1.Resumed || s1.ParticipantID != "c-s1" || s1.Snapshot.Self.HandPosition != 2 || !s1.Snapshot.Self.ChatMuted {
		t.Errorf("s1 back as %s (resumed %v), self %+v", s1.ParticipantID, s1.Resumed, s1.Snapshot.Self)
	}
	if q := s1.Snapshot.Questions; len(q) != 1 || q[0].Status != live.QuestionAnswered {
		t.Errorf("questions after restart = %+v", q)
	}
	s3 := liveJoin(t, l, "c-s3b", "u-s3", token.RoleStudent)
	if !s3.Resumed || s3.ParticipantID != "c-s3" || !s3.Snapshot.Self.MutedByModerator {
		t.Errorf("s3 back as %s (resumed %v), self %+v", s3.ParticipantID, s3.Resumed, s3.Snapshot.Self)
	}
}
