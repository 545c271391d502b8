package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/peer"
	"github.com/pion/webrtc/v4"
)

// cutWithin is how fast a revocation must reach an open connection.
const cutWithin = 2 * time.Second

// fixture is a paid course with a teacher, an assistant and a student who
// bought it, on a whole server.
type fixture struct {
	s                           *site
	teacher, assistant, student *browser
	courseID, lessonID, orderID string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := newSite(t, "")
	f := &fixture{s: s}
	f.teacher = s.signUp("teacher@example.org", classroom.RoleTeacher)
	f.assistant = s.signUp("assistant@example.org")
	f.student = s.signUp("student@example.org")
	f.courseID, f.lessonID = f.teacher.course(4900, f.assistant.id)
	f.orderID = f.student.buy(f.courseID, "order-1")
	return f
}

// ws joins the lesson over the WebSocket with a fresh token.
func (f *fixture) ws(t *testing.T, b *browser) *peer.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := peer.Join(ctx, f.s.wsURL(), b.joinToken(f.lessonID), nil)
	if err != nil {
		t.Fatalf("join: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// httpSession is a WHIP publisher or WHEP player of the test.
type httpSession struct {
	url, token string
	pc         *webrtc.PeerConnection
}

// whip publishes the test clips through WHIP as b.
func (f *fixture) whip(t *testing.T, b *browser) *httpSession {
	t.Helper()
	pub, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	hs := f.post(t, "whip", b.joinToken(f.lessonID), pub.PC)
	pub.Start()
	return hs
}

// whep plays the lesson through WHEP as b.
func (f *fixture) whep(t *testing.T, b *browser) *httpSession {
	t.Helper()
	return f.post(t, "whep", b.joinToken(f.lessonID), peer.Player(t).PC)
}

func (f *fixture) post(t *testing.T, kind, tok string, pc *webrtc.PeerConnection) *httpSession {
	t.Helper()
	loc := connectSDP(t, f.s.srv.URL+"/"+kind+"/"+f.lessonID, tok, pc)
	return &httpSession{url: f.s.srv.URL + loc, token: tok, pc: pc}
}

func (f *fixture) postSDP(t *testing.T, kind, tok, sdp string) (int, string, string) {
	t.Helper()
	resp, body := postSDP(t, f.s.srv.URL+"/"+kind+"/"+f.lessonID, tok, sdp)
	return resp.StatusCode, body, resp.Header.Get("Location")
}

// state asks the server about the session with an empty trickle PATCH:
// 204 while it lives, 410 with the reason once the server closed it.
func (hs *httpSession) state(t *testing.T) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPatch, hs.url, strings.NewReader("a=mid:0\r\n"))
	req.Header.Set("Authorization", "Bearer "+hs.token)
	req.Header.Set("Content-Type", "application/trickle-ice-sdpfrag")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, reply{body: b}.code()
}

// wantWSCut waits (from `from`) for the server to close c with code and
// reason, and fails after cutWithin.
func wantWSCut(t *testing.T, c *peer.Client, from time.Time, code int, reason string) time.Duration {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(time.Until(from.Add(cutWithin))):
		t.Fatalf("the WebSocket was still open %v after the change", cutWithin)
	}
	took := time.Since(from)
	if int(c.CloseStatus()) != code || c.CloseReason() != reason {
		t.Fatalf("WebSocket closed with %d %q, want %d %q", c.CloseStatus(), c.CloseReason(), code, reason)
	}
	return took
}

// wantHTTPCut waits for the server to close a WHIP/WHEP session with
// reason.
func wantHTTPCut(t *testing.T, hs *httpSession, from time.Time, reason string) {
	t.Helper()
	for {
		status, code := hs.state(t)
		if status == http.StatusGone {
			if code != reason {
				t.Fatalf("session closed for %q, want %q", code, reason)
			}
			return
		}
		if status != http.StatusNoContent {
			t.Fatalf("PATCH on the session: %d %s", status, code)
		}
		if time.Since(from) > cutWithin {
			t.Fatalf("the %s session was still open %v after the change", hs.url, cutWithin)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func wantAlive(t *testing.T, hs *httpSession) {
	t.Helper()
	if status, code := hs.state(t); status != http.StatusNoContent {
		t.Fatalf("session %s: %d %s, want it alive", hs.url, status, code)
	}
}

func lessonStatus(t *testing.T, b *browser, lessonID string) string {
	t.Helper()
	r := b.do("GET", "/api/v1/lessons/"+lessonID, nil)
	must(t, r, http.StatusOK)
	var l struct{ Status string }
	r.decode(t, &l)
	return l.Status
}

// TestRefundCutsOpenConnections: a full refund closes the student's
// WebSocket (4010 payment_required) and WHEP player within 2 s; the
// teacher's WHIP publisher carries on; the student's token, WebSocket and
// WHEP are refused afterwards.
func TestRefundCutsOpenConnections(t *testing.T) {
	f := newFixture(t)
	pub := f.whip(t, f.teacher)
	ws := f.ws(t, f.student)
	oldTok := f.student.joinToken(f.lessonID)
	player := f.whep(t, f.student)
	if st := lessonStatus(t, f.teacher, f.lessonID); st != "live" {
		t.Errorf("after the WHIP publisher started the lesson is %q, want live", st)
	}
	refund := f.student.requestRefund(f.orderID)
	from := time.Now()
	must(t, f.teacher.do("POST", "/api/v1/refunds/"+refund+"/approve", map[string]any{}), http.StatusOK)
	wantWSCut(t, ws, from, 4010, "payment_required")
	wantHTTPCut(t, player, from, "payment_required")
	wantAlive(t, pub)

	must(t, f.student.do("POST", "/api/v1/lessons/"+f.lessonID+"/join", nil), http.StatusPaymentRequired, "payment_required")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := peer.Join(ctx, f.s.wsURL(), oldTok, nil); !peer.IsError(err, "payment_required") {
		t.Fatalf("WebSocket join with a token from before the refund: %v", err)
	}
	if status, body, _ := f.postSDP(t, "whep", oldTok, "v=0"); status != http.StatusPaymentRequired {
		t.Fatalf("WHEP with a token from before the refund: %d %s", status, body)
	}
}

// TestRemovalCutsOpenConnections: removing a student from the course and
// an assistant from its assistants closes their connections (4010
// not_a_member) within 2 s.
func TestRemovalCutsOpenConnections(t *testing.T) {
	f := newFixture(t)
	pub := f.whip(t, f.assistant)
	ws := f.ws(t, f.student)
	player := f.whep(t, f.student)
	from := time.Now()
	must(t, f.teacher.do("DELETE", "/api/v1/courses/"+f.courseID+"/students/"+f.student.id, nil), http.StatusNoContent)
	wantWSCut(t, ws, from, 4010, "not_a_member")
	wantHTTPCut(t, player, from, "not_a_member")
	wantAlive(t, pub)

	from = time.Now()
	must(t, f.teacher.do("PATCH", "/api/v1/courses/"+f.courseID, map[string]any{"assistants": []string{}}), http.StatusOK)
	wantHTTPCut(t, pub, from, "not_a_member")
	must(t, f.student.do("POST", "/api/v1/lessons/"+f.lessonID+"/join", nil), http.StatusForbidden, "not_a_member")
}

// TestBanCutsOpenConnections: a teacher's ban from the room closes every
// connection of the banned user — WebSocket (4003 banned), WHEP player,
// WHIP publisher — within 2 s, and the user cannot come back.
func TestBanCutsOpenConnections(t *testing.T) {
	f := newFixture(t)
	tws := f.ws(t, f.teacher)
	aws := f.ws(t, f.assistant)
	pub := f.whip(t, f.assistant)
	ws := f.ws(t, f.student)
	player := f.whep(t, f.student)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	from := time.Now()
	if _, err := tws.Request(ctx, "participant.remove", map[string]any{"participantId": ws.Joined.Participant.ID, "ban": true}); err != nil {
		t.Fatal(err)
	}
	wantWSCut(t, ws, from, 4003, "banned")
	wantHTTPCut(t, player, from, "banned")
	must(t, f.student.do("POST", "/api/v1/lessons/"+f.lessonID+"/join", nil), http.StatusForbidden, "banned")

	from = time.Now()
	if _, err := tws.Request(ctx, "participant.remove", map[string]any{"participantId": aws.Joined.Participant.ID, "ban": true}); err != nil {
		t.Fatal(err)
	}
	wantWSCut(t, aws, from, 4003, "banned")
	wantHTTPCut(t, pub, from, "banned")
}

// TestEndCutsOpenConnections: the lesson's end (REST) closes every
// WebSocket (4011 lesson_ended), WHIP and WHEP session within 2 s; the
// status is persisted and an ended lesson refuses every door until its
// teacher reopens it. Of two teachers ending at once, one wins and the
// other is told it already ended.
func TestEndCutsOpenConnections(t *testing.T) {
	f := newFixture(t)
	pub := f.whip(t, f.assistant)
	ws := f.ws(t, f.student)
	tws := f.ws(t, f.teacher)
	player := f.whep(t, f.student)
	oldTok := f.student.joinToken(f.lessonID)

	from := time.Now()
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = f.teacher.do("POST", "/api/v1/lessons/"+f.lessonID+"/status", map[string]string{"status": "ended"}).status
		}()
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
		t.Fatalf("two ends at once answered %v, want one 200 and one 409", codes)
	}
	wantWSCut(t, ws, from, 4011, "lesson_ended")
	wantWSCut(t, tws, from, 4011, "lesson_ended")
	wantHTTPCut(t, player, from, "lesson_ended")
	wantHTTPCut(t, pub, from, "lesson_ended")
	if st := lessonStatus(t, f.teacher, f.lessonID); st != "ended" {
		t.Fatalf("status %q after the end", st)
	}
	must(t, f.teacher.do("POST", "/api/v1/lessons/"+f.lessonID+"/status", map[string]string{"status": "ended"}), http.StatusConflict, "already_ended")
	must(t, f.student.do("POST", "/api/v1/lessons/"+f.lessonID+"/join", nil), http.StatusConflict, "lesson_ended")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := peer.Join(ctx, f.s.wsURL(), oldTok, nil); !peer.IsError(err, "lesson_ended") {
		t.Fatalf("WebSocket join after the end: %v", err)
	}
	if status, body, _ := f.postSDP(t, "whep", oldTok, "v=0"); status != http.StatusConflict {
		t.Fatalf("WHEP after the end: %d %s", status, body)
	}

	// Only the teacher reopens it; then the student joins again.
	must(t, f.assistant.do("POST", "/api/v1/lessons/"+f.lessonID+"/status", map[string]string{"status": "scheduled"}), http.StatusForbidden)
	must(t, f.teacher.do("POST", "/api/v1/lessons/"+f.lessonID+"/status", map[string]string{"status": "scheduled"}), http.StatusOK)
	f.ws(t, f.student)
}

// TestEndFromTheRoom: the teacher's End in the room persists the status
// and closes the room; a second End is told the lesson already ended.
func TestEndFromTheRoom(t *testing.T) {
	f := newFixture(t)
	tws := f.ws(t, f.teacher)
	ws := f.ws(t, f.student)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := ws.Request(ctx, "lesson.end", map[string]any{}); !peer.IsError(err, "forbidden") {
		t.Fatalf("a student's lesson.end: %v", err)
	}
	from := time.Now()
	if err := tws.Send(ctx, "lesson.end", "1", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	wantWSCut(t, ws, from, 4011, "lesson_ended")
	if st := lessonStatus(t, f.teacher, f.lessonID); st != "ended" {
		t.Fatalf("status %q after the room's End", st)
	}
}

// TestDisabledAccountCutsOpenConnections: an admin disabling an account
// closes its WebSocket (4010 account_disabled) and WHEP player within 2 s;
// it can neither sign in nor use its old token.
func TestDisabledAccountCutsOpenConnections(t *testing.T) {
	f := newFixture(t)
	admin := f.s.signUp("admin@example.org", classroom.RoleAdmin)
	ws := f.ws(t, f.student)
	player := f.whep(t, f.student)
	oldTok := f.student.joinToken(f.lessonID)
	from := time.Now()
	must(t, admin.do("PUT", "/api/v1/admin/accounts/"+f.student.id+"/disabled", map[string]any{"disabled": true}), http.StatusOK)
	wantWSCut(t, ws, from, 4010, "account_disabled")
	wantHTTPCut(t, player, from, "account_disabled")
	must(t, f.student.do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	signIn := f.s.anonymous().do("POST", "/api/v1/sessions", map[string]string{
		"email": "student@example.org", "password": "correct horse battery staple"})
	must(t, signIn, http.StatusForbidden, "account_disabled")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := peer.Join(ctx, f.s.wsURL(), oldTok, nil); !peer.IsError(err, "account_disabled") {
		t.Fatalf("WebSocket join with the disabled account's token: %v", err)
	}
	must(t, admin.do("PUT", "/api/v1/admin/accounts/"+admin.id+"/disabled", map[string]any{"disabled": true}), http.StatusUnprocessableEntity)
}

// TestEndedLessonStaysEndedAfterRestart: a lesson ended in the room is
// still ended after the whole server restarts: tokens, the WebSocket and
// WHEP refuse it.
func TestEndedLessonStaysEndedAfterRestart(t *testing.T) {
	dir := t.TempDir()
	s := newSite(t, "", func(c *app.Config) { c.DataDir = dir })
	f := &fixture{s: s}
	f.teacher = s.signUp("teacher@example.org", classroom.RoleTeacher)
	f.student = s.signUp("student@example.org")
	f.courseID, f.lessonID = f.teacher.course(0)
	must(t, f.student.do("POST", "/api/v1/courses/"+f.courseID+"/enrolment", nil), http.StatusCreated)
	tws := f.ws(t, f.teacher)
	oldTok := f.student.joinToken(f.lessonID)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := tws.Request(ctx, "lesson.end", map[string]any{}); err != nil && !strings.Contains(err.Error(), "closed") {
		t.Fatalf("lesson.end: %v", err)
	}
	<-tws.Done()
	s.srv.Close()
	if err := s.app.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := newSite(t, "", func(c *app.Config) { c.DataDir = dir })
	f.s, f.student.s, f.teacher.s = s2, s2, s2
	must(t, f.student.do("POST", "/api/v1/lessons/"+f.lessonID+"/join", nil), http.StatusConflict, "lesson_ended")
	if _, err := peer.Join(ctx, s2.wsURL(), oldTok, nil); !peer.IsError(err, "lesson_ended") {
		t.Fatalf("WebSocket join after the restart: %v", err)
	}
	if status, body, _ := f.postSDP(t, "whep", oldTok, "v=0"); status != http.StatusConflict {
		t.Fatalf("WHEP after the restart: %d %s", status, body)
	}
}
