package api

import (
	"bytes"
	"mime"
	"net/http"
	"strings"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/classroom/live"
)

// Reports serves a teacher's CSV exports of a lesson's live classroom,
// during or after the lesson, from the live store alone:
//
//	GET /api/v1/lessons/{id}/attendance.csv
//	GET /api/v1/lessons/{id}/polls/{pollId}/results.csv
//
// Only the course's teacher and admins may download them. It shares the
// Server's sessions, timeouts and error format.
type Reports struct {
	s    *Server
	live live.Store
}

// NewReports returns the exports of s's lessons kept in ls. It panics if
// either is nil.
func NewReports(s *Server, ls live.Store) *Reports {
	if s == nil || ls == nil {
		panic("api: NewReports needs a Server and a live.Store")
	}
	return &Reports{s: s, live: ls}
}

// Register adds the export routes to mux (next to Server.Register's).
func (rp *Reports) Register(mux *http.ServeMux) {
	for pattern, h := range map[string]authHandler{
		"GET /api/v1/lessons/{id}/attendance.csv":             rp.attendance,
		"GET /api/v1/lessons/{id}/polls/{pollId}/results.csv": rp.pollResults,
	} {
		mux.Handle(pattern, rp.s.cop.Handler(rp.s.authed(h)))
	}
}

var errNotCourseTeacher = &Error{Status: http.StatusForbidden, Code: "forbidden",
	Message: "only the course's teacher or an admin may download reports"}

// lesson loads the lesson in the path, for its course's teacher or an
// admin.
func (rp *Reports) lesson(r *http.Request, c *caller) (classroom.Lesson, error) {
	l, err := rp.s.loadLesson(r.Context(), r.PathValue("id"))
	if err != nil {
		return l, err
	}
	if c.account.Roles.Has(classroom.RoleAdmin) {
		return l, nil
	}
	course, err := rp.s.store.Course(r.Context(), l.CourseID)
	if err != nil {
		return l, err
	}
	if !classroom.RelationOf(course, c.account.ID, false).CanEdit() {
		return l, errNotCourseTeacher
	}
	return l, nil
}

func (rp *Reports) attendance(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, err := rp.lesson(r, c)
	if err != nil {
		return err
	}
	rep, err := live.BuildReport(r.Context(), rp.live, l.ID, rp.s.now())
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := live.WriteReportCSV(&b, rep); err != nil {
		return err
	}
	writeCSV(w, "attendance-"+l.ID+".csv", b.Bytes())
	return nil
}

func (rp *Reports) pollResults(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, err := rp.lesson(r, c)
	if err != nil {
		return err
	}
	id := r.PathValue("pollId")
	polls, err := rp.live.ListPolls(r.Context(), l.ID)
	if err != nil {
		return err
	}
	var (
		poll  live.Poll
		found bool
	)
	for _, p := range polls {
		if p.ID == id {
			poll, found = p, true
			break
		}
	}
	if !found {
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such poll in this lesson"}
	}
	votes, err := rp.live.ListVotes(r.Context(), l.ID, poll.ID)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := live.WritePollCSV(&b, poll, votes); err != nil {
		return err
	}
	writeCSV(w, "poll-"+fileSafe(poll.ID)+"-results.csv", b.Bytes())
	return nil
}

// writeCSV sends body as a download. The CSV is built in full first, so a
// failure is still a JSON error rather than a truncated file.
func writeCSV(w http.ResponseWriter, filename string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// fileSafe keeps letters, digits, '-' and '_' of an id for a file name.
func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, s)
	if len(s) > 64 {
		s = s[:64]
	}
	if s == "" {
		s = "poll"
	}
	return s
}
