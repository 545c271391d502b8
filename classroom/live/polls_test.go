package live

import (
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

func TestPollValidation(t *testing.T) {
	tests := []struct {
		name string
		c    PollCreate
		code string
	}{
		{"single", PollCreate{Question: "q", Kind: PollSingle, Options: []string{"a", "b"}}, ""},
		{"quiz", PollCreate{Question: "q", Kind: PollSingle, Options: []string{"a", "b"}, Correct: []int{1}}, ""},
		{"multiple quiz", PollCreate{Question: "q", Kind: PollMultiple, Options: []string{"a", "b", "c"}, Correct: []int{2, 0}}, ""},
		{"yesno", PollCreate{Question: "q", Kind: PollYesNo, DurationSeconds: 60}, ""},
		{"text", PollCreate{Question: "q", Kind: PollText}, ""},
		{"no question", PollCreate{Kind: PollYesNo}, CodeInvalid},
		{"long question", PollCreate{Question: strings.Repeat("q", 501), Kind: PollYesNo}, CodeTooLong},
		{"one option", PollCreate{Question: "q", Kind: PollSingle, Options: []string{"a"}}, CodeInvalid},
		{"dup option", PollCreate{Question: "q", Kind: PollSingle, Options: []string{"a", " a"}}, CodeInvalid},
		{"empty option", PollCreate{Question: "q", Kind: PollSingle, Options: []string{"a", ""}}, CodeInvalid},
		{"too many", PollCreate{Question: "q", Kind: PollSingle, Options: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}}, CodeInvalid},
		{"yesno options", PollCreate{Question: "q", Kind: PollYesNo, Options: []string{"a", "b"}}, CodeInvalid},
		{"text correct", PollCreate{Question: "q", Kind: PollText, Correct: []int{0}}, CodeInvalid},
		{"single two correct", PollCreate{Question: "q", Kind: PollSingle, Options: []string{"a", "b"}, Correct: []int{0, 1}}, CodeInvalid},
		{"correct out of range", PollCreate{Question: "q", Kind: PollSingle, Options: []string{"a", "b"}, Correct: []int{2}}, CodeInvalid},
		{"bad kind", PollCreate{Question: "q", Kind: "rank"}, CodeInvalid},
		{"short timer", PollCreate{Question: "q", Kind: PollYesNo, DurationSeconds: 2}, CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := chatLesson(t)
			_, err := l.CreatePoll(ctx, "t", tc.c)
			wantCode(t, err, tc.code)
		})
	}
}

func TestPollVoteChangeAndClose(t *testing.T) {
	l, _ := chatLesson(t)
	r := ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "best?", Kind: PollSingle, Options: []string{"x", "y", "z"}, Correct: []int{2}}))
	opened := events(r, EvPollOpened)[0]
	sp, _ := opened.For("s", token.RoleStudent)
	tp, _ := opened.For("t", token.RoleTeacher)
	if sp.(PollInfo).Correct != nil || !sp.(PollInfo).Quiz || tp.(PollInfo).Correct[0] != 2 {
		t.Fatalf("quiz answer exposure: student %+v teacher %+v", sp, tp)
	}
	id := sp.(PollInfo).ID

	r = ok(t)(l.Vote(ctx, "s", PollVote{PollID: id, Choices: []int{0}}))
	c := events(r, EvPollCounts)
	if len(c) != 1 || c[0].To != moderators() || c[0].Payload.(PollTally).Counts[0] != 1 {
		t.Fatalf("counts = %+v", r.Events)
	}
	if a := events(r, EvPollVoteAccepted); len(a) != 1 || a[0].To != only("s") {
		t.Fatalf("ack = %+v", r.Events)
	}
	_, err := l.Vote(ctx, "s", PollVote{PollID: id, Choices: []int{1}})
	wantCode(t, err, CodeConflict)
	_, err = l.ChangeVote(ctx, "s2", PollVote{PollID: id, Choices: []int{1}})
	wantCode(t, err, CodeNotFound)
	r = ok(t)(l.ChangeVote(ctx, "s", PollVote{PollID: id, Choices: []int{2}}))
	if got := events(r, EvPollCounts)[0].Payload.(PollTally); got.Counts[0] != 0 || got.Counts[2] != 1 || got.Total != 1 {
		t.Fatalf("after change = %+v", got)
	}
	ok(t)(l.Vote(ctx, "s2", PollVote{PollID: id, Choices: []int{1}}))
	for _, bad := range []PollVote{
		{PollID: id, Choices: []int{0, 1}},
		{PollID: id, Choices: []int{7}},
		{PollID: id},
		{PollID: id, Text: "free"},
	} {
		_, err = l.ChangeVote(ctx, "s2", bad)
		wantCode(t, err, CodeInvalid)
	}
	_, err = l.Vote(ctx, "t", PollVote{PollID: id, Choices: []int{0}})
	wantCode(t, err, CodeForbidden)
	_, err = l.Vote(ctx, "o", PollVote{PollID: id, Choices: []int{0}})
	wantCode(t, err, CodeForbidden)

	r = ok(t)(l.ClosePoll(ctx, "t", PollClose{PollID: id}))
	res := events(r, EvPollResults)[0]
	if res.To != everyone() {
		t.Fatal("results must go to everyone")
	}
	stu, _ := res.For("s", token.RoleStudent)
	mod, _ := res.For("t", token.RoleTeacher)
	sr, mr := stu.(PollResults), mod.(PollResults)
	if sr.Total != 2 || sr.Counts[1] != 1 || sr.Counts[2] != 1 || sr.Correct[0] != 2 || sr.CorrectVotes != nil {
		t.Fatalf("student results = %+v", sr)
	}
	if mr.CorrectVotes == nil || *mr.CorrectVotes != 1 {
		t.Fatalf("moderator results = %+v", mr)
	}
	_, err = l.ChangeVote(ctx, "s", PollVote{PollID: id, Choices: []int{0}})
	wantCode(t, err, CodePollClosed)
	_, err = l.Vote(ctx, "s3x", PollVote{PollID: id, Choices: []int{0}})
	wantCode(t, err, CodeNotFound)
	_, err = l.ClosePoll(ctx, "t", PollClose{PollID: id})
	wantCode(t, err, CodePollClosed)
}

func TestQuizCorrectness(t *testing.T) {
	p := Poll{Kind: PollMultiple, Options: []string{"a", "b", "c"}, Correct: []int{0, 2}}
	tests := []struct {
		choices []int
		want    bool
	}{
		{[]int{0, 2}, true}, {[]int{0}, false}, {[]int{0, 1, 2}, false}, {[]int{1}, false},
	}
	for _, tc := range tests {
		if got := p.IsCorrect(Vote{Choices: tc.choices}); got != tc.want {
			t.Errorf("IsCorrect(%v) = %v", tc.choices, got)
		}
	}
	if (&Poll{Kind: PollSingle, Options: []string{"a"}}).IsCorrect(Vote{Choices: []int{0}}) {
		t.Error("a poll without a correct answer is not a quiz")
	}
	// Votes are normalised (sorted) so order does not matter.
	l, _ := chatLesson(t)
	r := ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "q", Kind: PollMultiple, Options: []string{"a", "b", "c"}, Correct: []int{2, 0}}))
	id := events(r, EvPollOpened)[0].Payload.(PollInfo).ID
	ok(t)(l.Vote(ctx, "s", PollVote{PollID: id, Choices: []int{2, 0}}))
	r = ok(t)(l.ClosePoll(ctx, "t", PollClose{PollID: id}))
	if n := *events(r, EvPollResults)[0].ModeratorPayload.(PollResults).CorrectVotes; n != 1 {
		t.Fatalf("correct votes = %d", n)
	}
}

func TestPollTimerAndTextAnonymous(t *testing.T) {
	l, c := chatLesson(t)
	r := ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "thoughts?", Kind: PollText, Anonymous: true, DurationSeconds: 30}))
	id := events(r, EvPollOpened)[0].Payload.(PollInfo).ID
	ok(t)(l.Vote(ctx, "s", PollVote{PollID: id, Text: "great"}))
	ok(t)(l.Vote(ctx, "s2", PollVote{PollID: id, Text: "  meh "}))
	c.Add(30 * time.Second)
	_, err := l.Vote(ctx, "s", PollVote{PollID: id, Text: "late"})
	wantCode(t, err, CodePollClosed)
	r = l.Tick(ctx, c.Now())
	res := events(r, EvPollResults)
	if len(res) != 1 {
		t.Fatalf("timer did not close: %+v", r.Events)
	}
	mr := res[0].ModeratorPayload.(PollResults)
	if len(mr.Answers) != 2 || mr.Answers[1].Text != "meh" {
		t.Fatalf("answers = %+v", mr.Answers)
	}
	for _, a := range mr.Answers {
		if a.Name != "" {
			t.Fatalf("anonymous poll exposed a voter to the teacher: %+v", a)
		}
	}
	votes, _ := l.cfg.store.ListVotes(ctx, l.id, id)
	for _, v := range votes {
		if v.Name != "" || v.ParticipantID != "" {
			t.Fatalf("anonymous vote stored with identity: %+v", v)
		}
	}
}

func TestPollSnapshotShowsMyVoteAndCounts(t *testing.T) {
	l, _ := chatLesson(t)
	r := ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "q", Kind: PollYesNo}))
	id := events(r, EvPollOpened)[0].Payload.(PollInfo).ID
	ok(t)(l.Vote(ctx, "s", PollVote{PollID: id, Choices: []int{1}}))
	ss, _ := l.Snapshot(ctx, "s")
	if len(ss.Polls) != 1 || ss.Polls[0].MyVote == nil || ss.Polls[0].MyVote.Choices[0] != 1 || ss.Polls[0].Counts != nil {
		t.Fatalf("student snapshot polls = %+v", ss.Polls)
	}
	ts, _ := l.Snapshot(ctx, "t")
	if ts.Polls[0].Counts == nil || ts.Polls[0].Counts.Counts[1] != 1 {
		t.Fatalf("teacher snapshot polls = %+v", ts.Polls)
	}
}
