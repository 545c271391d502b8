package billing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/billinghttp"
	"github.com/lectern/lectern/billing/devpay"
	"github.com/lectern/lectern/billing/stripe"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
	"github.com/lectern/lectern/token"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

const (
	whsec       = "whsec_test_0123456789abcdef"
	stripeKey   = "sk_test_SECRET_must_not_leak"
	devWebhook  = "dev-webhook-secret"
	testBaseURL = "http://lectern.test"
)

// env is a billing service, the API and billing's routes on one server.
type env struct {
	t      testing.TB
	st     *store.Store
	svc    *billing.Service
	api    *api.Server
	srv    *httptest.Server
	stripe *fakeStripe // nil with the dev provider
	logs   *syncBuffer
	apiCfg []func(*api.Config) // applied to the API server's configuration

	clockMu sync.Mutex // guards skew
	skew    time.Duration
}

type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type envOpt func(*billing.Config)

// withStripe uses the stripe provider against a fake Stripe API.
func withStripe(e *env) envOpt {
	return func(c *billing.Config) {
		e.stripe = newFakeStripe(e.t)
		p, err := stripe.New(stripe.Config{SecretKey: stripeKey, WebhookSecret: whsec, APIURL: e.stripe.srv.URL,
			BaseURL: testBaseURL, Logger: c.Logger})
		if err != nil {
			e.t.Fatal(err)
		}
		c.Providers = []billing.Provider{p}
	}
}

// withAPI changes the API server's configuration.
func withAPI(f func(*api.Config)) func(*env) envOpt {
	return func(e *env) envOpt {
		e.apiCfg = append(e.apiCfg, f)
		return func(*billing.Config) {}
	}
}

// withStore replaces the store billing sees (the API keeps the real one).
func withStore(bs billing.Store) func(*env) envOpt {
	return func(*env) envOpt { return func(c *billing.Config) { c.Store = bs } }
}

func newEnv(t testing.TB, st *store.Store, opts ...func(*env) envOpt) *env {
	t.Helper()
	e := &env{t: t, st: st, logs: &syncBuffer{}}
	log := slogTo(e.logs)
	cfg := billing.Config{Store: st, BaseURL: testBaseURL, Logger: log,
		Providers: []billing.Provider{devpay.New(devpay.Config{BaseURL: testBaseURL, WebhookSecret: devWebhook})}}
	for _, o := range opts {
		o(e)(&cfg)
	}
	svc, err := billing.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := token.NewSigner([]byte("0123456789abcdef0123456789abcdef-test"))
	if err != nil {
		t.Fatal(err)
	}
	roomy := api.RateLimit{Burst: 10000, Every: time.Millisecond}
	acfg := api.Config{Store: st, Signer: signer, BaseURL: testBaseURL, Access: svc, Logger: log,
		Argon2: classroom.TestArgon2(), SignInPerIP: roomy, SignInPerAccount: roomy, SignUpPerIP: roomy}
	for _, f := range e.apiCfg {
		f(&acfg)
	}
	a := api.New(acfg)
	mux := http.NewServeMux()
	a.Register(mux)
	billinghttp.New(svc, a).Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(func() { e.srv.Close(); a.Close() })
	e.svc, e.api = svc, a
	return e
}

// client is one browser.
type client struct {
	e    *env
	http *http.Client
	csrf string
	id   string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) code() string {
	var e struct{ Code string }
	json.Unmarshal(r.body, &e)
	return e.Code
}

// do sends a request; body is nil, a url.Values (a form), or JSON-encoded.
// headers are name, value pairs.
func (c *client) do(method, path string, body any, headers ...string) response {
	c.e.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func want(t testing.TB, r response, status int, code ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if len(code) > 0 && r.code() != code[0] {
		t.Fatalf("code %q, want %q; body %s", r.code(), code[0], r.body)
	}
}

// register signs up a student in a new client; roles are added in the store.
func (e *env) register(email string, roles ...classroom.Role) *client {
	e.t.Helper()
	c := e.client()
	r := c.do("POST", "/api/v1/accounts", map[string]string{
		"email": email, "password": "correct horse battery staple", "display_name": "Name " + email})
	want(e.t, r, http.StatusCreated)
	var s struct {
		Account   struct{ ID string } `json:"account"`
		CSRFToken string              `json:"csrf_token"`
	}
	r.decode(e.t, &s)
	c.csrf, c.id = s.CSRFToken, s.Account.ID
	if len(roles) > 0 {
		ctx := context.Background()
		a, err := e.st.Account(ctx, c.id)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, role := range roles {
			a.Roles = a.Roles.With(role)
		}
		if err := e.st.UpdateAccount(ctx, a); err != nil {
			e.t.Fatal(err)
		}
	}
	return c
}

func (c *client) account() classroom.Account {
	c.e.t.Helper()
	a, err := c.e.st.Account(context.Background(), c.id)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return a
}

type idJSON struct {
	ID string `json:"id"`
}

// paidCourse creates, as teacher, a course priced 4900 EUR with one live
// lesson; it returns the course and lesson IDs.
func (c *client) paidCourse(title string) (courseID, lessonID string) {
	c.e.t.Helper()
	r := c.do("POST", "/api/v1/courses", map[string]any{"title": title})
	want(c.e.t, r, http.StatusCreated)
	var course idJSON
	r.decode(c.e.t, &course)
	r = c.do("POST", "/api/v1/courses/"+course.ID+"/lessons", map[string]any{
		"title": "One", "starts_at": time.Now().Add(24 * time.Hour).UTC(), "duration_minutes": 60})
	want(c.e.t, r, http.StatusCreated)
	var lesson idJSON
	r.decode(c.e.t, &lesson)
	want(c.e.t, c.do("POST", "/api/v1/lessons/"+lesson.ID+"/status", map[string]string{"status": "live"}), http.StatusOK)
	want(c.e.t, c.do("PUT", "/api/v1/courses/"+course.ID+"/price", map[string]any{
		"amount": 4900, "currency": "eur"}), http.StatusOK)
	storetest.Publish(c.e.t, c.e.st, course.ID)
	return course.ID, lesson.ID
}

type orderJSON struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Provider    string `json:"provider"`
	Method      string `json:"method"`
	Amount      int64  `json:"amount"`
	Discount    int64  `json:"discount"`
	Currency    string `json:"currency"`
	Refunded    int64  `json:"refunded"`
	CheckoutURL string `json:"checkout_url"`
	Ledger      []struct {
		Seq    int    `json:"seq"`
		Kind   string `json:"kind"`
		Amount int64  `json:"amount"`
	} `json:"ledger"`
}

// order creates an order over HTTP with key.
func (c *client) order(courseID, key string, coupon ...string) (response, orderJSON) {
	c.e.t.Helper()
	body := map[string]string{"course_id": courseID}
	if len(coupon) > 0 {
		body["coupon"] = coupon[0]
	}
	r := c.do("POST", "/api/v1/orders", body, "Idempotency-Key", key)
	var o orderJSON
	if r.status < 300 {
		r.decode(c.e.t, &o)
	}
	return r, o
}

// receipt reads an order's receipt.
func (c *client) receipt(id string) orderJSON {
	c.e.t.Helper()
	r := c.do("GET", "/api/v1/orders/"+id, nil)
	want(c.e.t, r, http.StatusOK)
	var o orderJSON
	r.decode(c.e.t, &o)
	return o
}

// countKind counts an order's ledger entries of one kind.
func countKind(o orderJSON, kind string) int {
	n := 0
	for _, l := range o.Ledger {
		if l.Kind == kind {
			n++
		}
	}
	return n
}

// withProvider enables p (built for the env) besides nothing else.
func withProvider(mk func(e *env) billing.Provider) func(*env) envOpt {
	return func(e *env) envOpt {
		return func(c *billing.Config) { c.Providers = []billing.Provider{mk(e)} }
	}
}

// withClock makes billing's clock now() + the env's offset, moved by
// e.advance.
func withClock(e *env) envOpt {
	return func(c *billing.Config) { c.Now = func() time.Time { return time.Now().Add(e.offset()) } }
}

func (e *env) offset() time.Duration {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	return e.skew
}

func (e *env) advance(d time.Duration) {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	e.skew += d
}

// cnyCourse creates, as teacher, a course priced amount fen with one
// lesson; it returns the course ID.
func (c *client) cnyCourse(title string, amount int64) string {
	c.e.t.Helper()
	r := c.do("POST", "/api/v1/courses", map[string]any{"title": title})
	want(c.e.t, r, http.StatusCreated)
	var course idJSON
	r.decode(c.e.t, &course)
	want(c.e.t, c.do("PUT", "/api/v1/courses/"+course.ID+"/price", map[string]any{
		"amount": amount, "currency": "CNY"}), http.StatusOK)
	storetest.Publish(c.e.t, c.e.st, course.ID) // reviewed, as paidCourse's
	return course.ID
}

// orderWith creates an order with a provider and method.
func (c *client) orderWith(courseID, key, provider, method string) (response, orderJSON) {
	c.e.t.Helper()
	r := c.do("POST", "/api/v1/orders", map[string]string{"course_id": courseID, "provider": provider,
		"method": method}, "Idempotency-Key", key)
	var o orderJSON
	if r.status < 300 {
		r.decode(c.e.t, &o)
	}
	return r, o
}
