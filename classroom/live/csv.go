package live

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// safeCell defuses CSV (formula) injection: a cell that a spreadsheet
// would read as a formula gets a leading single quote. See OWASP "CSV
// Injection".
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// SafeCell is safeCell for other packages' CSV exports.
func SafeCell(s string) string { return safeCell(s) }

type csvWriter struct {
	w   *csv.Writer
	err error
}

func (c *csvWriter) row(cells ...string) {
	if c.err != nil {
		return
	}
	for i := range cells {
		cells[i] = safeCell(cells[i])
	}
	c.err = c.w.Write(cells)
}

func (c *csvWriter) flush() error {
	if c.err != nil {
		return c.err
	}
	c.w.Flush()
	return c.w.Error()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// WriteReportCSV writes the attendance report: one row per user with
// name, role, first join, last leave, total minutes, sessions, questions
// asked, quiz score, then one column per non-anonymous poll with the
// answer.
func WriteReportCSV(w io.Writer, r Report) error {
	c := &csvWriter{w: csv.NewWriter(w)}
	head := []string{"name", "user_id", "role", "first_joined", "last_left", "minutes", "sessions", "questions", "quiz_score"}
	var polls []Poll
	for i, p := range r.Polls {
		if p.Anonymous {
			continue
		}
		polls = append(polls, p)
		head = append(head, fmt.Sprintf("poll %d: %s", i+1, p.Question))
	}
	c.row(head...)
	for _, row := range r.Rows {
		score := ""
		if row.Quizzes > 0 {
			score = fmt.Sprintf("%d/%d", row.Correct, row.Quizzes)
		}
		minutes := strconv.FormatFloat(math.Round(row.Duration.Minutes()*10)/10, 'f', -1, 64)
		cells := []string{
			row.Name, row.UserID, string(row.Role), csvTime(row.FirstJoined), csvTime(row.LastLeft),
			minutes, strconv.Itoa(row.Sessions), strconv.Itoa(row.Questions), score,
		}
		for _, p := range polls {
			cells = append(cells, row.Answers[p.ID])
		}
		c.row(cells...)
	}
	return c.flush()
}

// WritePollCSV writes one poll's results: a header block, a row per option
// with its votes (and whether it is correct, for a quiz), then, unless the
// poll is anonymous, a row per voter. An anonymous poll lists answers
// without voters.
func WritePollCSV(w io.Writer, p Poll, votes []Vote) error {
	c := &csvWriter{w: csv.NewWriter(w)}
	c.row("poll", p.Question)
	c.row("kind", string(p.Kind))
	c.row("anonymous", yesNo(p.Anonymous))
	c.row("opened", csvTime(p.OpenedAt))
	c.row("closed", csvTime(p.ClosedAt))
	c.row("votes", strconv.Itoa(len(votes)))
	c.row()
	if p.Kind != PollText {
		counts := make([]int, len(p.Options))
		for _, v := range votes {
			for _, i := range v.Choices {
				if i >= 0 && i < len(counts) {
					counts[i]++
				}
			}
		}
		c.row("option", "votes", "correct")
		for i, o := range p.Options {
			correct := ""
			if p.IsQuiz() {
				correct = yesNo(slices.Contains(p.Correct, i))
			}
			c.row(o, strconv.Itoa(counts[i]), correct)
		}
		c.row()
	}
	if p.Anonymous {
		// Sorted, so that the order of votes says nothing about voters.
		rows := make([][2]string, len(votes))
		for i, v := range votes {
			rows[i] = [2]string{p.Answer(v), quizMark(p, v)}
		}
		slices.SortFunc(rows, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
		c.row("answer", "correct")
		for _, r := range rows {
			c.row(r[0], r[1])
		}
	} else {
		c.row("name", "user_id", "answer", "correct", "voted_at")
		for _, v := range votes {
			c.row(v.Name, v.UserID, p.Answer(v), quizMark(p, v), csvTime(v.At))
		}
	}
	return c.flush()
}

func quizMark(p Poll, v Vote) string {
	if !p.IsQuiz() {
		return ""
	}
	return yesNo(p.IsCorrect(v))
}
