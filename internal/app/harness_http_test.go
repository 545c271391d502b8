package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/store/storetest"
	"github.com/pion/webrtc/v4"
)

// site is a whole Lectern server (app.New) on a loopback listener, with
// browsers that sign up and act over its REST API.
type site struct {
	t   testing.TB
	app *app.App
	srv *httptest.Server
}

func newSite(t testing.TB, dbURL string, opts ...func(*app.Config)) *site {
	t.Helper()
	cfg := app.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, Secret: secret, Loopback: true,
		ICEUDPAddr: "127.0.0.1:0", BaseURL: "http://lectern.test",
		PaymentProvider: "dev"} // test payments, explicitly: the tests buy through the dev provider
	for _, o := range opts {
		o(&cfg)
	}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &site{t: t, app: a, srv: srv}
}

func (s *site) wsURL() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/rtc" }

// browser is one signed-in person.
type browser struct {
	s    *site
	http *http.Client
	csrf string
	id   string
}

type reply struct {
	status int
	body   []byte
}

func (r reply) code() string {
	var e struct{ Code string }
	_ = json.Unmarshal(r.body, &e)
	return e.Code
}

func (r reply) decode(t testing.TB, v any) {
	t.Helper()
	if err := r.decodeErr(v); err != nil {
		t.Fatal(err)
	}
}

func (r reply) decodeErr(v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		return fmt.Errorf("decode %s: %w", r.body, err)
	}
	return nil
}

// do sends a request: body nil, url.Values (a form) or JSON; headers are
// name, value pairs.
func (b *browser) do(method, path string, body any, headers ...string) reply {
	b.s.t.Helper()
	r, err := b.try(method, path, body, headers...)
	if err != nil {
		b.s.t.Fatal(err)
	}
	return r
}

// try is do that returns a failed request's error instead of failing the
// test (for requests to a server that may be killed meanwhile).
func (b *browser) try(method, path string, body any, headers ...string) (reply, error) {
	var rd io.Reader
	ctype := ""
	switch v := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(v)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, b.s.srv.URL+path, rd)
	if err != nil {
		return reply{}, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if b.csrf != "" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	req.Header.Set("Origin", "http://lectern.test")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: data}, err
}

func must(t testing.TB, r reply, status int, code ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if len(code) > 0 && r.code() != code[0] {
		t.Fatalf("code %q, want %q; body %s", r.code(), code[0], r.body)
	}
}

// anonymous is a browser that has not signed up.
func (s *site) anonymous() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signUp registers an account (a student) and gives it extra roles.
func (s *site) signUp(email string, roles ...classroom.Role) *browser {
	s.t.Helper()
	b := s.anonymous()
	r := b.do("POST", "/api/v1/accounts", map[string]string{
		"email": email, "password": "correct horse battery staple", "display_name": "N " + email})
	must(s.t, r, http.StatusCreated)
	var out struct {
		Account   struct{ ID string } `json:"account"`
		CSRFToken string              `json:"csrf_token"`
	}
	r.decode(s.t, &out)
	b.csrf, b.id = out.CSRFToken, out.Account.ID
	if len(roles) > 0 {
		ctx := context.Background()
		a, err := s.app.Store().Account(ctx, b.id)
		if err != nil {
			s.t.Fatal(err)
		}
		for _, role := range roles {
			a.Roles = a.Roles.With(role)
		}
		if err := s.app.Store().UpdateAccount(ctx, a); err != nil {
			s.t.Fatal(err)
		}
	}
	return b
}

type idOnly struct {
	ID string `json:"id"`
}

// course creates a course with one lesson starting now; price > 0 makes
// it paid (EUR minor units). assistants are account ids.
func (b *browser) course(price int64, assistants ...string) (courseID, lessonID string) {
	t := b.s.t
	t.Helper()
	body := map[string]any{"title": "Course"}
	if len(assistants) > 0 {
		body["assistants"] = assistants
	}
	r := b.do("POST", "/api/v1/courses", body)
	must(t, r, http.StatusCreated)
	var c idOnly
	r.decode(t, &c)
	// Published as a reviewer would (the review is api's TestReviewWorkflow).
	storetest.Publish(t, b.s.app.Store(), c.ID)
	r = b.do("POST", "/api/v1/courses/"+c.ID+"/lessons", map[string]any{
		"title": "Lesson", "starts_at": time.Now().UTC(), "duration_minutes": 60})
	must(t, r, http.StatusCreated)
	var l idOnly
	r.decode(t, &l)
	if price > 0 {
		must(t, b.do("PUT", "/api/v1/courses/"+c.ID+"/price", map[string]any{"amount": price, "currency": "eur"}), http.StatusOK)
	}
	return c.ID, l.ID
}

// buy enrols in and pays for a course with the dev checkout; it returns
// the order id.
func (b *browser) buy(courseID, key string) string {
	t := b.s.t
	t.Helper()
	if r := b.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil); r.status != http.StatusCreated && r.status != http.StatusConflict {
		t.Fatalf("enrol: %d %s", r.status, r.body)
	}
	r := b.do("POST", "/api/v1/orders", map[string]string{"course_id": courseID}, "Idempotency-Key", key)
	must(t, r, http.StatusCreated)
	var o idOnly
	r.decode(t, &o)
	r = b.do("POST", "/api/v1/billing/dev/checkout/"+o.ID, url.Values{"action": {"pay"}, "csrf_token": {b.csrf}})
	must(t, r, http.StatusOK)
	return o.ID
}

// requestRefund asks for a full refund of an order; it returns the
// refund's id for the teacher to approve.
func (b *browser) requestRefund(orderID string) string {
	t := b.s.t
	t.Helper()
	r := b.do("POST", "/api/v1/orders/"+orderID+"/refund-requests", map[string]any{"amount": 0, "reason": "test"})
	must(t, r, http.StatusCreated)
	var rf idOnly
	r.decode(t, &rf)
	return rf.ID
}

// joinToken asks for a join token.
func (b *browser) joinToken(lessonID string) string {
	t := b.s.t
	t.Helper()
	r := b.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil)
	must(t, r, http.StatusOK)
	var j struct {
		Token string `json:"token"`
	}
	r.decode(t, &j)
	return j.Token
}

// postSDP POSTs sdp to a WHIP or WHEP url with tok as its Bearer token
// (peer.PostSDP); headers are name, value pairs. It returns the response
// and its body.
func postSDP(t testing.TB, url, tok, sdp string, headers ...string) (*http.Response, string) {
	t.Helper()
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	resp, body, err := peer.PostSDP(context.Background(), http.DefaultClient, url, tok, sdp, h)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return resp, body
}

// connectSDP posts pc's complete offer to a WHIP or WHEP url with tok,
// wants 201 Created, applies the answer and returns the session's
// Location.
func connectSDP(t testing.TB, url, tok string, pc *webrtc.PeerConnection) string {
	t.Helper()
	resp, body := postSDP(t, url, tok, peer.Offer(t, pc))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, body)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: body}); err != nil {
		t.Fatal(err)
	}
	return resp.Header.Get("Location")
}
