package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// personas are the table's columns, in order.
var personas = []string{"anonymous", "not enrolled", "enrolled", "paid", "refunded", "banned",
	"assistant", "other teacher", "teacher", "admin"}

type tableRow struct {
	door, request, body string
	want                []string // per persona
	line                int
}

// readAccessTable parses the table in docs/security.md.
func readAccessTable(t *testing.T) []tableRow {
	t.Helper()
	data, err := os.ReadFile("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "<!-- access-table -->")
	end := strings.Index(text, "<!-- /access-table -->")
	if start < 0 || end < start {
		t.Fatal("docs/security.md has no access table")
	}
	line := strings.Count(text[:start], "\n") + 1
	var rows []tableRow
	for i, l := range strings.Split(text[start:end], "\n") {
		if !strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "| door") || strings.HasPrefix(l, "| ---") {
			continue
		}
		cells := strings.Split(strings.Trim(l, "| "), " | ")
		if len(cells) != 3+len(personas) {
			t.Fatalf("docs/security.md:%d: %d cells, want %d", line+i, len(cells), 3+len(personas))
		}
		rows = append(rows, tableRow{door: cells[0], request: cells[1], body: cells[2], want: cells[3:], line: line + i})
	}
	if len(rows) < 10 {
		t.Fatalf("the access table has %d rows", len(rows))
	}
	return rows
}

// TestAccessTable runs every row of docs/security.md's access table as
// every persona, on SQLite and PostgreSQL, over real HTTP, WebSocket and
// WebRTC connections.
func TestAccessTable(t *testing.T) {
	rows := readAccessTable(t)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dbURL := ""
			if backend == "postgres" {
				dbURL = pgtest.URL(t)
			}
			runAccessTable(t, newSite(t, dbURL), rows)
		})
	}
}

type persona struct {
	name string
	b    *browser // nil for anonymous
	tok  string   // a join token for the lesson ("" for anonymous)
	ws   *peer.Client
}

func runAccessTable(t *testing.T, s *site, rows []tableRow) {
	f := &fixture{s: s}
	f.teacher = s.signUp("teacher@example.org", classroom.RoleTeacher)
	f.assistant = s.signUp("assistant@example.org")
	other := s.signUp("other@example.org", classroom.RoleTeacher)
	other.course(0)
	f.courseID, f.lessonID = f.teacher.course(4900, f.assistant.id)
	must(t, f.teacher.do("POST", "/api/v1/lessons/"+f.lessonID+"/status", map[string]string{"status": "live"}), http.StatusOK)
	people := map[string]*browser{
		"not enrolled":  s.signUp("not-enrolled@example.org"),
		"enrolled":      s.signUp("enrolled@example.org"),
		"paid":          s.signUp("paid@example.org"),
		"refunded":      s.signUp("refunded@example.org"),
		"banned":        s.signUp("banned@example.org"),
		"assistant":     f.assistant,
		"other teacher": other,
		"teacher":       f.teacher,
		"admin":         s.signUp("admin@example.org", classroom.RoleAdmin),
	}
	must(t, people["enrolled"].do("POST", "/api/v1/courses/"+f.courseID+"/enrolment", nil), http.StatusCreated)
	people["paid"].buy(f.courseID, "paid")
	order := people["refunded"].buy(f.courseID, "refunded")
	must(t, f.teacher.do("POST", "/api/v1/refunds/"+people["refunded"].requestRefund(order)+"/approve", map[string]any{}), http.StatusOK)
	people["banned"].buy(f.courseID, "banned")
	tws := f.ws(t, f.teacher)
	bws := f.ws(t, people["banned"])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := tws.Request(ctx, "participant.remove", map[string]any{"participantId": bws.Joined.Participant.ID, "ban": true}); err != nil {
		t.Fatal(err)
	}
	<-bws.Done()
	tws.Close()

	ps := make([]*persona, len(personas))
	for i, name := range personas {
		p := &persona{name: name, b: people[name]}
		if p.b != nil {
			p.tok = tokenFor(t, f, p.b)
		}
		ps[i] = p
	}
	nobody := "00000000-0000-0000-0000-000000000000"
	for _, row := range rows {
		for i, p := range ps {
			want := row.want[i]
			got := runCell(t, f, row, p, want, nobody)
			if got != want {
				t.Errorf("docs/security.md:%d: %s %q as %s: got %s, want %s", row.line, row.door, row.request, p.name, got, want)
			}
		}
	}
	for _, p := range ps {
		if p.ws != nil {
			p.ws.Close()
		}
	}
}

// tokenFor returns a join token for b: the API's when it issues one, else
// one made with the server's secret for b's account, as a student (a
// token kept from before).
func tokenFor(t *testing.T, f *fixture, b *browser) string {
	t.Helper()
	r := b.do("POST", "/api/v1/lessons/"+f.lessonID+"/join", nil)
	if r.status == http.StatusOK {
		var j struct{ Token string }
		r.decode(t, &j)
		return j.Token
	}
	tok, err := f.s.app.Signer().Issue(token.Claims{Lesson: f.lessonID, User: b.id, Name: "kept",
		Role: token.RoleStudent, Permissions: token.DefaultPermissions(token.RoleStudent)}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func runCell(t *testing.T, f *fixture, row tableRow, p *persona, want, nobody string) string {
	t.Helper()
	fill := func(s string) string {
		return strings.NewReplacer("{course}", f.courseID, "{lesson}", f.lessonID, "{nobody}", nobody).Replace(s)
	}
	switch row.door {
	case "http":
		method, path, ok := strings.Cut(fill(row.request), " ")
		if !ok {
			t.Fatalf("docs/security.md:%d: request %q is not METHOD /path", row.line, row.request)
		}
		var body any
		if row.body != "-" {
			body = json.RawMessage(row.body)
		}
		b := p.b
		if b == nil {
			b = f.s.anonymous()
		}
		return strconv.Itoa(b.do(method, path, body).status)
	case "ws":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := peer.Join(ctx, f.s.wsURL(), p.tok, nil)
		if err != nil {
			var er *peer.ErrorReply
			if errors.As(err, &er) {
				return er.Code
			}
			t.Fatalf("join as %s: %v", p.name, err)
		}
		p.ws = c
		return "ok"
	case "whep", "whip":
		if p.tok == "" {
			status, _, _ := f.postSDP(t, row.door, "", "v=0")
			return strconv.Itoa(status)
		}
		pc := newOfferPC(t, row.door)
		status, body, loc := f.postSDP(t, row.door, p.tok, peer.Offer(t, pc))
		if status == http.StatusCreated {
			_ = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: body})
			req, _ := http.NewRequest(http.MethodDelete, f.s.srv.URL+loc, nil)
			req.Header.Set("Authorization", "Bearer "+p.tok)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
		pc.Close()
		return strconv.Itoa(status)
	case "msg":
		if p.ws == nil || want == "-" {
			return "-"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := p.ws.Request(ctx, row.request, json.RawMessage(row.body))
		if err == nil {
			return "ok"
		}
		var er *peer.ErrorReply
		if errors.As(err, &er) {
			return er.Code
		}
		t.Fatalf("%s as %s: %v", row.request, p.name, err)
	}
	t.Fatalf("docs/security.md:%d: unknown door %q", row.line, row.door)
	return ""
}

// newOfferPC returns a Pion peer with what a WHIP publisher (audio and
// video to send) or a WHEP player (to receive) offers.
func newOfferPC(t *testing.T, door string) *webrtc.PeerConnection {
	t.Helper()
	pc := peer.Conn(t)
	dir := webrtc.RTPTransceiverDirectionRecvonly
	if door == "whip" {
		dir = webrtc.RTPTransceiverDirectionSendonly
	}
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: dir}); err != nil {
			t.Fatal(err)
		}
	}
	return pc
}
