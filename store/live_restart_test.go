package store

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/token"
)

// TestLiveSurvivesRestart runs a lesson on each backend, closes the store
// with people still in the room (as a stopped server does), reopens the
// same database, and checks that chat, questions, polls, votes and
// attendance are all there: in a restored Lesson's join snapshot, in chat
// history pages, and in byte-identical CSV exports.
func TestLiveSurvivesRestart(t *testing.T) { forRestartBackends(t, testLiveRestart) }

// forRestartBackends runs fn with the configuration of a fresh database on
// each backend, which fn may open, close and open again.
func forRestartBackends(t *testing.T, fn func(t *testing.T, cfg Config)) {
	for _, b := range []struct {
		name string
		cfg  func(t *testing.T) Config
	}{
		{"sqlite", func(t *testing.T) Config { return Config{DataDir: t.TempDir()} }},
		{"postgres", func(t *testing.T) Config { return Config{DatabaseURL: pgtest.URL(t)} }},
	} {
		t.Run(b.name, func(t *testing.T) { fn(t, b.cfg(t)) })
	}
}

// liveClock is a settable clock.
type liveClock struct{ t time.Time }

func (c *liveClock) now() time.Time { return c.t }

func newLiveLesson(st *Store, c *liveClock, n *int) *live.Lesson {
	return live.New("lesson-r", live.WithStore(st.Live()), live.WithClock(c.now),
		live.WithChatRateLimit(1000, time.Second), live.WithIDGenerator(func() string {
			*n++
			return fmt.Sprintf("id%d", *n)
		}))
}

func liveJoin(t *testing.T, l *live.Lesson, conn, user string, role token.Role) live.JoinResult {
	t.Helper()
	jr, err := l.Join(context.Background(), live.JoinRequest{ConnID: conn, UserID: user, Name: "Name " + user,
		Role: role, Perms: token.DefaultPermissions(role)})
	if err != nil {
		t.Fatalf("join %s: %v", conn, err)
	}
	return jr
}

func liveOK(t *testing.T) func(live.Result, error) live.Result {
	return func(r live.Result, err error) live.Result {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// exports is what a teacher downloads after the lesson, from the store
// alone.
func exports(t *testing.T, ls live.Store, now time.Time) (report, polls string) {
	t.Helper()
	ctx := context.Background()
	rep, err := live.BuildReport(ctx, ls, "lesson-r", now)
	if err != nil {
		t.Fatal(err)
	}
	var rb, pb bytes.Buffer
	if err := live.WriteReportCSV(&rb, rep); err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Polls {
		votes, err := ls.ListVotes(ctx, "lesson-r", p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := live.WritePollCSV(&pb, p, votes); err != nil {
			t.Fatal(err)
		}
	}
	return rb.String(), pb.String()
}

func testLiveRestart(t *testing.T, cfg Config) {
	ctx := context.Background()
	c := &liveClock{t: time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)}
	tick := func(d time.Duration) { c.t = c.t.Add(d) }
	ids := 0

	st := openTest(t, cfg)
	l := newLiveLesson(st, c, &ids)
	liveJoin(t, l, "c-t", "u-t", token.RoleTeacher)
	liveJoin(t, l, "c-s1", "u-s1", token.RoleStudent)
	liveJoin(t, l, "c-s2", "u-s2", token.RoleStudent)
	tick(time.Minute)
	const sent = live.HistoryOnJoin + 5
	for i := range sent - 2 {
		liveOK(t)(l.SendChat(ctx, "c-s1", live.ChatSend{Text: fmt.Sprintf("message %d", i)}))
		tick(10 * time.Millisecond)
	}
	liveOK(t)(l.SendChat(ctx, "c-s2", live.ChatSend{Text: "to the teacher only", To: live.ToModeratorsTarget}))
	liveOK(t)(l.SendChat(ctx, "c-t", live.ChatSend{Text: "=SUM(A1) welcome"}))
	liveOK(t)(l.AskQuestion(ctx, "c-s1", live.QuestionAsk{Text: "Why?"})) // id1
	liveOK(t)(l.UpvoteQuestion(ctx, "c-s2", live.QuestionRef{QuestionID: "id1"}))
	tick(time.Minute)
	liveOK(t)(l.CreatePoll(ctx, "c-t", live.PollCreate{Question: "2+2?", Kind: live.PollSingle, // id2
		Options: []string{"3", "4"}, Correct: []int{1}}))
	liveOK(t)(l.Vote(ctx, "c-s1", live.PollVote{PollID: "id2", Choices: []int{1}}))
	liveOK(t)(l.Vote(ctx, "c-s2", live.PollVote{PollID: "id2", Choices: []int{0}}))
	tick(time.Minute)
	liveOK(t)(l.ClosePoll(ctx, "c-t", live.PollClose{PollID: "id2"}))
	liveOK(t)(l.CreatePoll(ctx, "c-t", live.PollCreate{Question: "Still open", Kind: live.PollYesNo})) // id3
	liveOK(t)(l.Vote(ctx, "c-s1", live.PollVote{PollID: "id3", Choices: []int{2}}))
	tick(time.Minute)
	l.Depart(ctx, "c-s2") // s2 leaves; the teacher and s1 are still in when the server stops
	lastActivity := c.t
	var pollCSV bytes.Buffer
	if err := l.ExportPollCSV(ctx, "c-t", "id2", &pollCSV); err != nil {
		t.Fatal(err)
	}
	tick(time.Minute)
	report, polls := exports(t, st.Live(), c.t)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// The server starts again on the same database.
	tick(time.Minute)
	st = openTest(t, cfg)
	report2, polls2 := exports(t, st.Live(), c.t.Add(-time.Minute))
	if report2 != report {
		t.Errorf("attendance report changed across the restart:\n%s\nnow\n%s", report, report2)
	}
	if polls2 != polls {
		t.Errorf("poll results changed across the restart:\n%s\nnow\n%s", polls, polls2)
	}

	l = newLiveLesson(st, c, &ids)
	if err := l.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	// The teacher and s1 were still in: their intervals close at the last
	// thing the store saw, not at the restart.
	att, err := st.Live().ListAttendance(ctx, "lesson-r")
	if err != nil || len(att) != 3 {
		t.Fatalf("attendance = %+v, %v", att, err)
	}
	for _, a := range att {
		if !a.Left.Equal(lastActivity) {
			t.Errorf("%s left at %v, want %v", a.ParticipantID, a.Left, lastActivity)
		}
	}

	teacher := liveJoin(t, l, "c-t2", "u-t", token.RoleTeacher)
	s1 := liveJoin(t, l, "c-s1b", "u-s1", token.RoleStudent).Snapshot
	chat := s1.Chat
	if len(chat.Messages) != live.HistoryOnJoin || !chat.HasMore {
		t.Fatalf("join history: %d messages, hasMore %v", len(chat.Messages), chat.HasMore)
	}
	if last := chat.Messages[len(chat.Messages)-1]; last.Text != "=SUM(A1) welcome" || last.SenderRole != token.RoleTeacher {
		t.Errorf("newest message = %+v", last)
	}
	for _, m := range chat.Messages {
		if m.Private {
			t.Errorf("s1 sees s2's private message %+v", m)
		}
	}
	if tc := teacher.Snapshot.Chat.Messages; tc[len(tc)-2].Text != "to the teacher only" {
		t.Errorf("the teacher lost the private message: %+v", tc[len(tc)-2])
	}
	r := liveOK(t)(l.ChatHistory(ctx, "c-s1b", live.ChatHistoryRequest{BeforeID: chat.Messages[0].ID}))
	if len(r.Events) != 1 {
		t.Fatalf("history events = %+v", r.Events)
	}
	older := r.Events[0].Payload.(live.ChatHistory)
	if older.HasMore || len(older.Messages)+len(chat.Messages) != sent-1 || older.Messages[0].Text != "message 0" {
		t.Errorf("older page: %d messages, hasMore %v, first %+v", len(older.Messages), older.HasMore, older.Messages)
	}

	if len(s1.Questions) != 1 || s1.Questions[0].ID != "id1" || s1.Questions[0].Votes != 1 {
		t.Errorf("questions = %+v", s1.Questions)
	}
	if len(s1.Polls) != 1 || s1.Polls[0].ID != "id3" || s1.Polls[0].MyVote == nil || s1.Polls[0].MyVote.Choices[0] != 2 {
		t.Errorf("polls = %+v", s1.Polls)
	}
	var pollCSV2 bytes.Buffer
	if err := l.ExportPollCSV(ctx, "c-t2", "id2", &pollCSV2); err != nil {
		t.Fatal(err)
	}
	if pollCSV2.String() != pollCSV.String() {
		t.Errorf("poll export changed:\n%s\nnow\n%s", pollCSV.String(), pollCSV2.String())
	}
	// The lesson goes on: new ids do not collide, the open poll still
	// takes changes.
	liveOK(t)(l.AskQuestion(ctx, "c-s1b", live.QuestionAsk{Text: "And now?"}))
	liveOK(t)(l.ChangeVote(ctx, "c-s1b", live.PollVote{PollID: "id3", Choices: []int{0}}))
	m := liveOK(t)(l.SendChat(ctx, "c-s1b", live.ChatSend{Text: "back"}))
	if id := m.Events[0].Payload.(live.ChatInfo).ID; id != sent+1 {
		t.Errorf("chat id after restart = %d, want %d", id, sent+1)
	}
}
