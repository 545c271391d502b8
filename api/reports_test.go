package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
	"github.com/lectern/lectern/token"
)

// reportsHarness is a harness whose mux also serves api.Reports, wired as
// internal/app wires it.
func reportsHarness(t *testing.T, st *store.Store) *harness {
	t.Helper()
	h := newHarness(t, st)
	mux := http.NewServeMux()
	h.api.Register(mux)
	api.NewReports(h.api, st.Live()).Register(mux)
	h.srv.Close()
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

// runLesson plays a short live lesson into the store: the teacher and a
// student join, the student chats and votes in a quiz, the student leaves.
// It returns the closed poll's id.
func runLesson(t *testing.T, st *store.Store, lessonID, teacherID, studentID string) string {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)
	l := live.New(lessonID, live.WithStore(st.Live()), live.WithClock(func() time.Time { return now }))
	for _, p := range []struct {
		conn, user, name string
		role             token.Role
	}{
		{"c-t", teacherID, "Teacher", token.RoleTeacher},
		{"c-s", studentID, "=HYPERLINK(\"x\")", token.RoleStudent},
	} {
		if _, err := l.Join(ctx, live.JoinRequest{ConnID: p.conn, UserID: p.user, Name: p.name,
			Role: p.role, Perms: token.DefaultPermissions(p.role)}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := l.CreatePoll(ctx, "c-t", live.PollCreate{Question: "2+2?", Kind: live.PollSingle,
		Options: []string{"3", "4"}, Correct: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	pollID := r.Events[0].Payload.(live.PollInfo).ID
	now = now.Add(time.Minute)
	if _, err := l.Vote(ctx, "c-s", live.PollVote{PollID: pollID, Choices: []int{1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ClosePoll(ctx, "c-t", live.PollClose{PollID: pollID}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(30 * time.Minute)
	l.Depart(ctx, "c-s")
	return pollID
}

func wantCSV(t *testing.T, r response, filename string) [][]string {
	t.Helper()
	want(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	disp, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != filename {
		t.Errorf("Content-Disposition = %q", r.header.Get("Content-Disposition"))
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	cr := csv.NewReader(bytes.NewReader(r.body))
	cr.FieldsPerRecord = -1 // a poll's CSV has blocks of different widths
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("body is not CSV: %v\n%s", err, r.body)
	}
	return rows
}

func TestReports(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			h := reportsHarness(t, st)
			tch := h.teacher("tch@example.org")
			asst := h.register("asst@example.org", "Assistant")
			stu := h.register("stu@example.org", "Student")
			outsider := h.teacher("out@example.org")
			admin := h.register("admin@example.org", "Admin")
			h.grant(admin, classroom.RoleAdmin)
			c := tch.course("Reported", asst.id)
			les := tch.lesson(c.ID, "Live one", t0, 60)
			other := tch.lesson(c.ID, "Other", t0.Add(time.Hour), 60)
			want(t, stu.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusCreated)
			pollID := runLesson(t, st, les.ID, tch.id, stu.id)

			attendance := "/api/v1/lessons/" + les.ID + "/attendance.csv"
			results := "/api/v1/lessons/" + les.ID + "/polls/" + pollID + "/results.csv"

			for _, who := range []*client{tch, admin} {
				rows := wantCSV(t, who.do("GET", attendance, nil), "attendance-"+les.ID+".csv")
				if len(rows) != 3 || rows[0][0] != "name" || rows[0][9] != "poll 1: 2+2?" {
					t.Fatalf("attendance rows = %q", rows)
				}
				s := rows[2]
				if s[0] != "'=HYPERLINK(\"x\")" || s[1] != stu.id || s[2] != "student" || s[5] != "31" ||
					s[8] != "1/1" || s[9] != "4" {
					t.Errorf("student row = %q", s)
				}
				rows = wantCSV(t, who.do("GET", results, nil), "poll-"+pollID+"-results.csv")
				if rows[0][1] != "2+2?" || rows[len(rows)-1][1] != stu.id || rows[len(rows)-1][3] != "yes" {
					t.Errorf("poll rows = %q", rows)
				}
			}
			// The poll CSV is exactly what package live writes.
			polls, _ := st.Live().ListPolls(context.Background(), les.ID)
			votes, _ := st.Live().ListVotes(context.Background(), les.ID, pollID)
			var wantBody bytes.Buffer
			live.WritePollCSV(&wantBody, polls[0], votes)
			if got := tch.do("GET", results, nil).body; !bytes.Equal(got, wantBody.Bytes()) {
				t.Errorf("results.csv =\n%s\nwant\n%s", got, wantBody.Bytes())
			}

			for _, tt := range []struct {
				name   string
				who    *client
				path   string
				status int
				code   string
			}{
				{"assistant", asst, attendance, 403, "forbidden"},
				{"student", stu, attendance, 403, "forbidden"},
				{"outsider", outsider, attendance, 403, "forbidden"},
				{"student poll", stu, results, 403, "forbidden"},
				{"anonymous", h.client(), attendance, 401, "unauthenticated"},
				{"no such lesson", tch, "/api/v1/lessons/00000000-0000-4000-8000-000000000000/attendance.csv", 404, "not_found"},
				{"bad lesson id", tch, "/api/v1/lessons/nope/attendance.csv", 404, "not_found"},
				{"no such poll", tch, "/api/v1/lessons/" + les.ID + "/polls/nope/results.csv", 404, "not_found"},
				{"poll of another lesson", tch, "/api/v1/lessons/" + other.ID + "/polls/" + pollID + "/results.csv", 404, "not_found"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					r := tt.who.do("GET", tt.path, nil)
					want(t, r, tt.status, tt.code)
					if ct := r.header.Get("Content-Type"); ct == "text/csv; charset=utf-8" {
						t.Errorf("an error was sent as CSV")
					}
				})
			}

			// A lesson with no live activity yet has a header-only report.
			rows := wantCSV(t, tch.do("GET", "/api/v1/lessons/"+other.ID+"/attendance.csv", nil), "attendance-"+other.ID+".csv")
			if len(rows) != 1 {
				t.Errorf("empty report = %q", rows)
			}
		})
	}
}
