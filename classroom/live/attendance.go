package live

import (
	"context"
	"io"
	"sort"
	"time"

	"github.com/lectern/lectern/token"
)

func (l *Lesson) attendance(m *member, left time.Time) Attendance {
	return Attendance{
		LessonID: l.id, ParticipantID: m.ID, UserID: m.UserID, Name: m.Name, Role: m.Role,
		Joined: m.joinedAt, Left: left,
	}
}

// Report is the after-lesson report: who attended and for how long, how
// many questions each asked, and their poll answers.
type Report struct {
	LessonID string
	Polls    []Poll // in the order created
	Rows     []ReportRow
}

// ReportRow is one user's line in a Report.
type ReportRow struct {
	UserID      string
	Name        string
	Role        token.Role
	FirstJoined time.Time
	LastLeft    time.Time // zero if still in the lesson
	Duration    time.Duration
	Sessions    int
	Questions   int
	// Answers maps poll id to the answer text; anonymous polls are absent.
	Answers map[string]string
	// Correct and Quizzes count this user's correct answers and the
	// non-anonymous quizzes they answered.
	Correct int
	Quizzes int
}

// BuildReport assembles a lesson's report from the store alone, so it works
// after the Lesson is gone. Open intervals are counted up to now.
func BuildReport(ctx context.Context, s Store, lessonID string, now time.Time) (Report, error) {
	rep := Report{LessonID: lessonID}
	att, err := s.ListAttendance(ctx, lessonID)
	if err != nil {
		return rep, err
	}
	qs, err := s.ListQuestions(ctx, lessonID)
	if err != nil {
		return rep, err
	}
	if rep.Polls, err = s.ListPolls(ctx, lessonID); err != nil {
		return rep, err
	}
	rows := map[string]*ReportRow{}
	var order []string
	row := func(user, name string, role token.Role) *ReportRow {
		r := rows[user]
		if r == nil {
			r = &ReportRow{UserID: user, Name: name, Role: role, Answers: map[string]string{}}
			rows[user] = r
			order = append(order, user)
		}
		return r
	}
	for _, a := range att {
		r := row(a.UserID, a.Name, a.Role)
		r.Name = a.Name // the latest name wins
		r.Sessions++
		if r.FirstJoined.IsZero() || a.Joined.Before(r.FirstJoined) {
			r.FirstJoined = a.Joined
		}
		end := a.Left
		if end.IsZero() {
			end = now
		} else if r.LastLeft.IsZero() || end.After(r.LastLeft) {
			r.LastLeft = end
		}
		if d := end.Sub(a.Joined); d > 0 {
			r.Duration += d
		}
	}
	for _, r := range rows { // anyone with an open interval has not left
		for _, a := range att {
			if a.UserID == r.UserID && a.Left.IsZero() {
				r.LastLeft = time.Time{}
			}
		}
	}
	for _, q := range qs {
		row(q.AuthorUser, q.AuthorName, token.RoleStudent).Questions++
	}
	for _, p := range rep.Polls {
		if p.Anonymous {
			continue
		}
		votes, err := s.ListVotes(ctx, lessonID, p.ID)
		if err != nil {
			return rep, err
		}
		for _, v := range votes {
			r := row(v.UserID, v.Name, token.RoleStudent)
			r.Answers[p.ID] = p.Answer(v)
			if p.IsQuiz() {
				r.Quizzes++
				if p.IsCorrect(v) {
					r.Correct++
				}
			}
		}
	}
	for _, u := range order {
		rep.Rows = append(rep.Rows, *rows[u])
	}
	sort.SliceStable(rep.Rows, func(i, j int) bool { return rep.Rows[i].FirstJoined.Before(rep.Rows[j].FirstJoined) })
	return rep, nil
}

// ExportAttendanceCSV writes the attendance report as CSV. Teacher only;
// it may be called during or after the lesson (while the Lesson exists).
func (l *Lesson) ExportAttendanceCSV(ctx context.Context, actorID string, w io.Writer) error {
	if err := l.checkTeacher(actorID); err != nil {
		return err
	}
	rep, err := BuildReport(ctx, l.cfg.store, l.id, l.now())
	if err != nil {
		return internal(err)
	}
	return WriteReportCSV(w, rep)
}

// ExportPollCSV writes one poll's results as CSV. Teacher only.
func (l *Lesson) ExportPollCSV(ctx context.Context, actorID, pollID string, w io.Writer) error {
	if err := l.checkTeacher(actorID); err != nil {
		return err
	}
	l.mu.Lock()
	p := l.polls[pollID]
	var poll Poll
	if p != nil {
		poll = p.Poll
	}
	l.mu.Unlock()
	if p == nil {
		return errf(CodeNotFound, "no such poll")
	}
	votes, err := l.cfg.store.ListVotes(ctx, l.id, pollID)
	if err != nil {
		return internal(err)
	}
	return WritePollCSV(w, poll, votes)
}

// checkTeacher allows the teacher, also after the lesson has ended.
func (l *Lesson) checkTeacher(actorID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.members[actorID]
	if m == nil {
		return errf(CodeNotFound, "not in this lesson")
	}
	if m.Role != token.RoleTeacher {
		return errf(CodeForbidden, "only the teacher may export")
	}
	return nil
}
