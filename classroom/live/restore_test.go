package live

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// TestRestore runs a lesson, drops it without anyone leaving (a crash),
// and checks that a new Lesson restored from the same store carries on.
func TestRestore(t *testing.T) {
	st := NewMemoryStore()
	l1, c := newTestLesson(t, WithStore(st))
	join(t, l1, "t", token.RoleTeacher)
	join(t, l1, "s1", token.RoleStudent)
	join(t, l1, "s2", token.RoleStudent)
	c.Add(time.Minute)
	ok(t)(l1.SendChat(ctx, "s1", ChatSend{Text: "hello"}))
	ok(t)(l1.AskQuestion(ctx, "s1", QuestionAsk{Text: "open one"}))     // id1
	ok(t)(l1.AskQuestion(ctx, "s2", QuestionAsk{Text: "answered one"})) // id2
	ok(t)(l1.UpvoteQuestion(ctx, "s2", QuestionRef{QuestionID: "id1"}))
	ok(t)(l1.AnswerQuestion(ctx, "t", QuestionRef{QuestionID: "id2"}))
	ok(t)(l1.CreatePoll(ctx, "t", PollCreate{Question: "Timed", Kind: PollSingle, // id3
		Options: []string{"A", "B", "C"}, DurationSeconds: 3600}))
	ok(t)(l1.Vote(ctx, "s1", PollVote{PollID: "id3", Choices: []int{0}}))
	ok(t)(l1.Vote(ctx, "s2", PollVote{PollID: "id3", Choices: []int{1}}))
	ok(t)(l1.CreatePoll(ctx, "t", PollCreate{Question: "Closed", Kind: PollYesNo})) // id4
	ok(t)(l1.Vote(ctx, "s1", PollVote{PollID: "id4", Choices: []int{0}}))
	last := c.Add(5 * time.Second)
	ok(t)(l1.ClosePoll(ctx, "t", PollClose{PollID: "id4"}))
	// The process dies here: nobody leaves.
	c.Add(10 * time.Minute)

	n := 0
	l2 := New("lesson-1", WithStore(st), WithClock(c.Now), WithIDGenerator(func() string {
		n++
		return "new" + string(rune('0'+n))
	}))
	if err := l2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	as, _ := st.ListAttendance(ctx, "lesson-1")
	if len(as) != 3 {
		t.Fatalf("attendance = %+v", as)
	}
	for _, a := range as {
		if !a.Left.Equal(last) {
			t.Errorf("%s left at %v, want the last activity %v", a.ParticipantID, a.Left, last)
		}
	}

	s1 := join(t, l2, "s1b", token.RoleStudent) // user u-s1b: a new user
	jr, err := l2.Join(ctx, JoinRequest{ConnID: "s1c", UserID: "u-s1", Name: "s1", Role: token.RoleStudent,
		Perms: token.DefaultPermissions(token.RoleStudent)})
	if err != nil {
		t.Fatal(err)
	}
	snap := jr.Snapshot
	// Open and answered questions come back (answered ones used to vanish).
	if len(snap.Questions) != 2 || snap.Questions[0].ID != "id1" || snap.Questions[0].Votes != 1 || !snap.Questions[0].Mine ||
		snap.Questions[1].ID != "id2" || snap.Questions[1].Status != QuestionAnswered {
		t.Errorf("questions = %+v", snap.Questions)
	}
	if len(snap.Polls) != 1 || snap.Polls[0].ID != "id3" || snap.Polls[0].MyVote == nil ||
		!slices.Equal(snap.Polls[0].MyVote.Choices, []int{0}) {
		t.Errorf("polls = %+v", snap.Polls)
	}
	if len(snap.Chat.Messages) != 1 || snap.Chat.Messages[0].Text != "hello" {
		t.Errorf("chat = %+v", snap.Chat)
	}
	if len(s1.Snapshot.Polls) != 1 || s1.Snapshot.Polls[0].MyVote != nil {
		t.Errorf("another user's view = %+v", s1.Snapshot.Polls)
	}
	teacher := join(t, l2, "t2", token.RoleTeacher)
	if p := teacher.Snapshot.Polls; len(p) != 1 || p[0].Counts == nil || !slices.Equal(p[0].Counts.Counts, []int{1, 1, 0}) {
		t.Errorf("teacher's poll = %+v", p)
	}

	join(t, l2, "s2b", token.RoleStudent)
	if _, err := l2.Join(ctx, JoinRequest{ConnID: "s2c", UserID: "u-s2", Name: "s2", Role: token.RoleStudent,
		Perms: token.DefaultPermissions(token.RoleStudent)}); err != nil {
		t.Fatal(err)
	}
	_, err = l2.UpvoteQuestion(ctx, "s2c", QuestionRef{QuestionID: "id1"})
	wantCode(t, err, CodeConflict) // the upvote survived
	_, err = l2.Vote(ctx, "s2c", PollVote{PollID: "id3", Choices: []int{2}})
	wantCode(t, err, CodeConflict) // so did the vote
	r := ok(t)(l2.ChangeVote(ctx, "s2c", PollVote{PollID: "id3", Choices: []int{2}}))
	if ev := events(r, EvPollCounts); len(ev) != 1 || !slices.Equal(ev[0].Payload.(PollTally).Counts, []int{1, 0, 1}) {
		t.Errorf("counts after change = %+v", ev)
	}
	ok(t)(l2.AskQuestion(ctx, "s1b", QuestionAsk{Text: "after restart"}))

	var buf bytes.Buffer
	if err := l2.ExportPollCSV(ctx, "t2", "id4", &buf); err != nil || !strings.Contains(buf.String(), "Closed") {
		t.Errorf("export of a closed poll: %v\n%s", err, buf.String())
	}
	// The timed poll's timer runs on after a restore.
	if r = l2.Tick(ctx, c.Now()); len(events(r, EvPollResults)) != 0 {
		t.Errorf("poll closed early: %+v", r.Events)
	}
	r = l2.Tick(ctx, c.Add(time.Hour))
	if ev := events(r, EvPollResults); len(ev) != 1 || ev[0].Payload.(PollResults).PollID != "id3" {
		t.Errorf("tick after restore = %+v", r.Events)
	}

	wantCode(t, l2.Restore(ctx), CodeConflict)
}

// failingStore fails ListVotes.
type failingStore struct{ Store }

func (failingStore) ListVotes(context.Context, string, string) ([]Vote, error) {
	return nil, errors.New("disk on fire")
}

func TestRestoreFailureRestoresNothing(t *testing.T) {
	st := NewMemoryStore()
	l1, _ := newTestLesson(t, WithStore(st))
	join(t, l1, "t", token.RoleTeacher)
	join(t, l1, "s", token.RoleStudent)
	ok(t)(l1.AskQuestion(ctx, "s", QuestionAsk{Text: "q"}))
	ok(t)(l1.CreatePoll(ctx, "t", PollCreate{Question: "p", Kind: PollYesNo}))

	l2, _ := newTestLesson(t, WithStore(failingStore{st}), WithLogger(slog.New(slog.DiscardHandler)))
	wantCode(t, l2.Restore(ctx), CodeInternal)
	jr := join(t, l2, "t2", token.RoleTeacher)
	if len(jr.Snapshot.Questions) != 0 || len(jr.Snapshot.Polls) != 0 {
		t.Errorf("a failed restore left state: %+v", jr.Snapshot)
	}
	if as, _ := st.ListAttendance(ctx, "lesson-1"); !as[0].Left.IsZero() {
		t.Errorf("a failed restore closed intervals: %+v", as)
	}
}

func TestRestoreEmpty(t *testing.T) {
	l, _ := newTestLesson(t)
	if err := l.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	jr := join(t, l, "t", token.RoleTeacher)
	if len(jr.Snapshot.Questions) != 0 || len(jr.Snapshot.Polls) != 0 {
		t.Errorf("snapshot = %+v", jr.Snapshot)
	}
}
