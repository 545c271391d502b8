package content

import (
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Gradebook is a course's scores: one row per enrolled student (and per
// former student who submitted), one column per exercise, the best score
// of the student's attempts. An exercise a student never submitted is
// listed in the row's Missing.
type Gradebook struct {
	Exercises []GradebookExercise `json:"exercises"`
	Students  []GradebookRow      `json:"students"`
}

// GradebookExercise is a column.
type GradebookExercise struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	MaxScore int    `json:"max_score"`
}

// GradebookRow is one student's scores, by exercise id.
type GradebookRow struct {
	AccountID string               `json:"account_id"`
	Name      string               `json:"name"`
	Email     string               `json:"email"`
	Scores    map[string]CellScore `json:"scores"`
	Total     int                  `json:"total"`
	// Missing lists the exercises (by id, in column order) the student
	// has not submitted.
	Missing []string `json:"missing"`
}

// CellScore is one student's standing on one exercise.
type CellScore struct {
	Best     int  `json:"best"`
	Attempts int  `json:"attempts"`
	Pending  bool `json:"pending"` // an attempt waits for the teacher
}

// Person names an account in the gradebook.
type Person struct{ Name, Email string }

// Student is an account enrolled in a course.
type Student struct {
	AccountID string
	Person
}

// BuildGradebook assembles the gradebook from a course's exercises, their
// submissions and the enrolled students; people names the students who
// submitted and are no longer enrolled.
func BuildGradebook(exercises []Exercise, subs []Submission, students []Student, people map[string]Person) Gradebook {
	g := Gradebook{Exercises: []GradebookExercise{}, Students: []GradebookRow{}}
	for _, e := range exercises {
		g.Exercises = append(g.Exercises, GradebookExercise{ID: e.ID, Title: e.Title, MaxScore: e.MaxScore()})
	}
	rows := map[string]*GradebookRow{}
	for _, st := range students {
		rows[st.AccountID] = &GradebookRow{AccountID: st.AccountID, Name: st.Name, Email: st.Email, Scores: map[string]CellScore{}}
	}
	for _, s := range subs {
		r := rows[s.AccountID]
		if r == nil {
			p := people[s.AccountID]
			r = &GradebookRow{AccountID: s.AccountID, Name: p.Name, Email: p.Email, Scores: map[string]CellScore{}}
			rows[s.AccountID] = r
		}
		c := r.Scores[s.ExerciseID]
		c.Attempts++
		c.Best = max(c.Best, s.Score)
		c.Pending = c.Pending || s.Status == SubmissionPending
		r.Scores[s.ExerciseID] = c
	}
	for _, r := range rows {
		r.Missing = []string{}
		for _, e := range g.Exercises {
			if c, ok := r.Scores[e.ID]; ok {
				r.Total += c.Best
			} else {
				r.Missing = append(r.Missing, e.ID)
			}
		}
		g.Students = append(g.Students, *r)
	}
	sort.Slice(g.Students, func(i, j int) bool {
		a, b := g.Students[i], g.Students[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.AccountID < b.AccountID
	})
	return g
}

// WriteCSV writes g: name, email, then each exercise's best score
// ("missing" if never submitted, a trailing "*" while grading is
// pending), then the total. Cells that a spreadsheet would read as a formula are defused.
func (g Gradebook) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"name", "email"}
	for _, e := range g.Exercises {
		head = append(head, csvCell(e.Title)+" (/"+strconv.Itoa(e.MaxScore)+")")
	}
	if err := cw.Write(append(head, "total")); err != nil {
		return err
	}
	for _, r := range g.Students {
		row := []string{csvCell(r.Name), csvCell(r.Email)}
		for _, e := range g.Exercises {
			c, ok := r.Scores[e.ID]
			switch {
			case !ok:
				row = append(row, "missing")
			case c.Pending:
				row = append(row, strconv.Itoa(c.Best)+"*")
			default:
				row = append(row, strconv.Itoa(c.Best))
			}
		}
		if err := cw.Write(append(row, strconv.Itoa(r.Total))); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvCell prefixes a cell a spreadsheet would run as a formula with an
// apostrophe (OWASP "CSV Injection").
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
