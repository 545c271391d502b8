package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
	"github.com/lectern/lectern/token"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// forEachBackend runs fn against a fresh server on each backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, h *harness), opts ...func(*api.Config)) {
	t.Helper()
	storetest.ForEach(t, func(t *testing.T, st *store.Store) { fn(t, newHarness(t, st, opts...)) })
}

// fakeMailer records messages.
type fakeMailer struct {
	mu   sync.Mutex // guards msgs
	msgs []api.Message
}

func (f *fakeMailer) Send(_ context.Context, m api.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, m)
	return nil
}

func (f *fakeMailer) sent() []api.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]api.Message(nil), f.msgs...)
}

// resets is sent without the address-verification mail of each sign-up.
func (f *fakeMailer) resets() []api.Message {
	var out []api.Message
	for _, m := range f.sent() {
		if !strings.Contains(m.Body, "/verify-email?token=") {
			out = append(out, m)
		}
	}
	return out
}

type harness struct {
	t      testing.TB
	st     *store.Store
	api    *api.Server
	srv    *httptest.Server
	signer *token.Signer
	mail   *fakeMailer
}

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

func newHarness(t testing.TB, st *store.Store, opts ...func(*api.Config)) *harness {
	t.Helper()
	signer, err := token.NewSigner(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	mail := &fakeMailer{}
	roomy := api.RateLimit{Burst: 1000, Every: time.Millisecond}
	cfg := api.Config{
		Store: st, Signer: signer, Mailer: mail, BaseURL: "http://lectern.test",
		Argon2:      classroom.TestArgon2(),
		SignInPerIP: roomy, SignInPerAccount: roomy, SignUpPerIP: roomy,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := api.New(cfg)
	mux := http.NewServeMux()
	s.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); s.Close() })
	return &harness{t: t, st: st, api: s, srv: srv, signer: signer, mail: mail}
}

// client is one browser: a cookie jar and the CSRF token it was given.
type client struct {
	h    *harness
	http *http.Client
	csrf string
	id   string // account ID once signed in
}

func (h *harness) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{h: h, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// decode unmarshals the body into v.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// code is the error code of a JSON error body.
func (r response) code() string {
	var e struct{ Code string }
	json.Unmarshal(r.body, &e)
	return e.Code
}

// do sends a request. body may be nil, a string or []byte (sent as is, as
// JSON unless a Content-Type header is given), or anything else (encoded
// as JSON). headers are name, value pairs.
func (c *client) do(method, path string, body any, headers ...string) response {
	c.h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.h.srv.URL+path, rd)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// want fails the test unless r has the status and, if given, error code.
func want(t testing.TB, r response, status int, code ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if len(code) > 0 && r.code() != code[0] {
		t.Fatalf("code %q, want %q; body %s", r.code(), code[0], r.body)
	}
}

type signedIn struct {
	Account struct {
		ID          string   `json:"id"`
		Email       string   `json:"email"`
		DisplayName string   `json:"display_name"`
		Roles       []string `json:"roles"`
		Language    string   `json:"language"`
		AvatarURL   string   `json:"avatar_url"`
	} `json:"account"`
	Session struct {
		ID      string `json:"id"`
		Current bool   `json:"current"`
	} `json:"session"`
	CSRFToken string `json:"csrf_token"`
}

const goodPassword = "correct horse battery staple"

// register signs up a new account in a new client.
func (h *harness) register(email, name string) *client {
	h.t.Helper()
	c := h.client()
	r := c.do("POST", "/api/v1/accounts", map[string]string{
		"email": email, "password": goodPassword, "display_name": name})
	want(h.t, r, http.StatusCreated)
	var s signedIn
	r.decode(h.t, &s)
	c.csrf, c.id = s.CSRFToken, s.Account.ID
	return c
}

// signIn signs in an existing account in a new client.
func (h *harness) signIn(email, password string) *client {
	h.t.Helper()
	c := h.client()
	r := c.do("POST", "/api/v1/sessions", map[string]string{"email": email, "password": password})
	want(h.t, r, http.StatusOK)
	var s signedIn
	r.decode(h.t, &s)
	c.csrf, c.id = s.CSRFToken, s.Account.ID
	return c
}

// grant gives an account roles directly in the store.
func (h *harness) grant(c *client, roles ...classroom.Role) {
	h.t.Helper()
	ctx := context.Background()
	a, err := h.st.Account(ctx, c.id)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range roles {
		a.Roles = a.Roles.With(r)
	}
	if err := h.st.UpdateAccount(ctx, a); err != nil {
		h.t.Fatal(err)
	}
}

// teacher registers an account with the teacher role.
func (h *harness) teacher(email string) *client {
	h.t.Helper()
	c := h.register(email, "Teacher "+email)
	h.grant(c, classroom.RoleTeacher)
	return c
}

func (h *harness) accountCount() int {
	h.t.Helper()
	list, err := h.st.ListAccounts(context.Background(), classroom.Page{Limit: 200})
	if err != nil {
		h.t.Fatal(err)
	}
	return len(list)
}

type courseJSON struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	Description string `json:"description"`
	Teacher     struct {
		ID string `json:"id"`
	} `json:"teacher"`
	Assistants []struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
	} `json:"assistants"`
	CoverURL   string  `json:"cover_url"`
	Relation   *string `json:"relation"`
	State      string  `json:"state"`
	Revision   int64   `json:"revision"`
	ReviewNote string  `json:"review_note"`
}

type lessonJSON struct {
	ID              string    `json:"id"`
	CourseID        string    `json:"course_id"`
	Title           string    `json:"title"`
	StartsAt        time.Time `json:"starts_at"`
	DurationMinutes int64     `json:"duration_minutes"`
	Status          string    `json:"status"`
	CourseTitle     string    `json:"course_title"`
	Relation        string    `json:"relation"`
}

// course creates a course as teacher and publishes it (skipping review,
// which TestReviewWorkflow covers).
func (c *client) course(title string, assistants ...string) courseJSON {
	c.h.t.Helper()
	body := map[string]any{"title": title, "summary": "About " + title}
	if len(assistants) > 0 {
		body["assistants"] = assistants
	}
	r := c.do("POST", "/api/v1/courses", body)
	want(c.h.t, r, http.StatusCreated)
	var out courseJSON
	r.decode(c.h.t, &out)
	storetest.Publish(c.h.t, c.h.st, out.ID)
	out.State = "published"
	return out
}

// lesson schedules a lesson as teacher.
func (c *client) lesson(courseID, title string, start time.Time, minutes int) lessonJSON {
	c.h.t.Helper()
	r := c.do("POST", "/api/v1/courses/"+courseID+"/lessons", map[string]any{
		"title": title, "starts_at": start, "duration_minutes": minutes})
	want(c.h.t, r, http.StatusCreated)
	var out lessonJSON
	r.decode(c.h.t, &out)
	return out
}
