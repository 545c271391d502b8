package live

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

func TestAttendanceReport(t *testing.T) {
	l, c := newTestLesson(t)
	start := c.Now()
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	c.Add(5 * time.Minute)
	join(t, l, "s2", token.RoleStudent)

	r := ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "2+2?", Kind: PollSingle, Options: []string{"3", "4"}, Correct: []int{1}}))
	quiz := events(r, EvPollOpened)[0].Payload.(PollInfo).ID
	r = ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "secret?", Kind: PollYesNo, Anonymous: true}))
	anon := events(r, EvPollOpened)[0].Payload.(PollInfo).ID
	ok(t)(l.Vote(ctx, "s", PollVote{PollID: quiz, Choices: []int{1}}))
	ok(t)(l.Vote(ctx, "s2", PollVote{PollID: quiz, Choices: []int{0}}))
	ok(t)(l.Vote(ctx, "s", PollVote{PollID: anon, Choices: []int{0}}))
	ok(t)(l.AskQuestion(ctx, "s", QuestionAsk{Text: "q1"}))
	ok(t)(l.AskQuestion(ctx, "s", QuestionAsk{Text: "q2", Anonymous: true}))

	// s drops for 30 s and returns within the grace: one session.
	c.Add(5 * time.Minute)
	l.Leave(ctx, "s")
	c.Add(30 * time.Second)
	if _, err := l.Join(ctx, JoinRequest{ConnID: "s-b", UserID: "u-s", Name: "s", Role: token.RoleStudent}); err != nil {
		t.Fatal(err)
	}
	// s2 leaves for good after 10 min in the room, then comes back for 5.
	l.Leave(ctx, "s2")
	l.Tick(ctx, c.Add(time.Minute))
	join(t, l, "s2b", token.RoleStudent) // a different user
	if _, err := l.Join(ctx, JoinRequest{ConnID: "s2-c", UserID: "u-s2", Name: "s2", Role: token.RoleStudent}); err != nil {
		t.Fatal(err)
	}
	c.Add(5 * time.Minute)
	ok(t)(l.End(ctx, "t", LessonEnd{}))

	rep, err := BuildReport(ctx, l.cfg.store, l.id, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]ReportRow{}
	for _, r := range rep.Rows {
		rows[r.UserID] = r
	}
	s, s2 := rows["u-s"], rows["u-s2"]
	if s.Sessions != 1 || s.Duration != 16*time.Minute+30*time.Second || s.Questions != 2 {
		t.Errorf("s row = %+v", s)
	}
	if s.Answers[quiz] != "4" || s.Correct != 1 || s.Quizzes != 1 {
		t.Errorf("s answers = %+v", s)
	}
	if _, ok := s.Answers[anon]; ok {
		t.Error("anonymous poll answer in report")
	}
	// s2: 5:00 → 10:30 (dropped) then 11:30 → 16:30.
	if s2.Sessions != 2 || s2.Duration != 10*time.Minute+30*time.Second || s2.Correct != 0 || s2.Quizzes != 1 {
		t.Errorf("s2 row = %+v", s2)
	}
	if !rows["u-t"].FirstJoined.Equal(start) || rows["u-t"].LastLeft.IsZero() {
		t.Errorf("teacher row = %+v", rows["u-t"])
	}

	var buf bytes.Buffer
	if err := l.ExportAttendanceCSV(ctx, "t", &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+len(rep.Rows) || len(recs[0]) != 10 || recs[0][9] != "poll 1: 2+2?" {
		t.Fatalf("csv = %q", recs)
	}
	for _, rec := range recs {
		if rec[1] == "u-s" && (rec[5] != "16.5" || rec[7] != "2" || rec[8] != "1/1" || rec[9] != "4") {
			t.Errorf("s csv row = %q", rec)
		}
	}
	if err := l.ExportAttendanceCSV(ctx, "s", &buf); CodeOf(err) != CodeForbidden {
		t.Fatalf("student export: %v", err)
	}
}
