package api

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/publicurl"
	"github.com/lectern/lectern/token"
)

// AccessPolicy decides paid access; billing implements it. A nil policy
// makes every course free. Returning an error wrapping
// classroom.ErrEntitlementRequired answers 402 Payment Required.
type AccessPolicy interface {
	// MayEnrol is asked before account enrols in course.
	MayEnrol(ctx context.Context, account classroom.Account, course classroom.Course) error
	// MayJoin is asked before a join token is issued to a caller whose
	// relation to the course already allows joining.
	MayJoin(ctx context.Context, account classroom.Account, course classroom.Course,
		lesson classroom.Lesson, rel classroom.Relation) error
}

// RateLimit is a token bucket: Burst attempts at once, one more regained
// every Every.
type RateLimit struct {
	Burst int
	Every time.Duration
}

// Config configures a Server. Store and Signer are required.
type Config struct {
	Store  classroom.Store
	Signer *token.Signer
	Logger *slog.Logger // nil discards
	// Mailer sends password-reset mail; nil writes the link to the log.
	Mailer Mailer
	// Outbox, when set, queues mail durably instead (see package notify):
	// it wins over Mailer.
	Outbox Outbox
	// BaseURL is the public origin, e.g. https://school.example. It makes
	// reset links, and an https:// BaseURL marks cookies Secure.
	BaseURL string
	// TokenTTL is a join token's lifetime (default 4h).
	TokenTTL time.Duration
	// Access is the paid-access hook (nil: every course is free).
	Access AccessPolicy
	// Argon2 are the password-hashing parameters (zero:
	// classroom.DefaultArgon2()).
	Argon2 classroom.Argon2Params
	// MaxBodyBytes bounds JSON request bodies (default 64 KiB).
	MaxBodyBytes int64
	// RequestTimeout bounds each request's store work (default 15s).
	RequestTimeout time.Duration
	// SignInPerIP and SignInPerAccount limit sign-in attempts (defaults:
	// 20 then 1 per 3s per address; 5 failures then 1 per minute per
	// account). SignUpPerIP limits registrations and reset requests
	// (default 10 then 1 per 10s).
	SignInPerIP, SignInPerAccount, SignUpPerIP RateLimit
	// TrustProxy takes the client address from X-Forwarded-For and the
	// scheme from X-Forwarded-Proto. Only set it behind a proxy.
	TrustProxy bool
	// TrustedProxies are the addresses or CIDR prefixes of reverse proxies
	// whose X-Forwarded-For/Host/Proto headers are believed (see
	// internal/publicurl). Without BaseURL, links follow each request's
	// Host.
	TrustedProxies []string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server serves the REST API. Close it to wait for background mail.
type Server struct {
	store    classroom.Store
	signer   *token.Signer
	log      *slog.Logger
	mailer   Mailer
	outbox   Outbox
	tokenTTL time.Duration
	access   AccessPolicy
	argon    classroom.Argon2Params
	maxBody  int64
	timeout  time.Duration
	trust    bool
	urls     *publicurl.Resolver
	now      func() time.Time

	ipLimit, accountLimit, signUpLimit *limiter
	hashSlots                          chan struct{} // bounds concurrent argon2 work
	dummyHash                          string        // verified for unknown emails
	cop                                *http.CrossOriginProtection

	wg sync.WaitGroup // background mail
}

// New returns a Server. It panics if Store or Signer is nil.
func New(cfg Config) *Server {
	if cfg.Store == nil || cfg.Signer == nil {
		panic("api: Config.Store and Config.Signer are required")
	}
	s := &Server{
		store:    cfg.Store,
		signer:   cfg.Signer,
		log:      cfg.Logger,
		mailer:   cfg.Mailer,
		outbox:   cfg.Outbox,
		tokenTTL: cmp.Or(cfg.TokenTTL, 4*time.Hour),
		access:   cfg.Access,
		argon:    cfg.Argon2,
		maxBody:  cmp.Or(cfg.MaxBodyBytes, 64<<10),
		timeout:  cmp.Or(cfg.RequestTimeout, 15*time.Second),
		trust:    cfg.TrustProxy,
		now:      cfg.Now,
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.urls = newResolver(cfg, s.log)
	if s.argon == (classroom.Argon2Params{}) {
		s.argon = classroom.DefaultArgon2()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.mailer == nil {
		s.mailer = LogMailer{Logger: s.log}
	}
	s.ipLimit = newLimiter(orLimit(cfg.SignInPerIP, RateLimit{20, 3 * time.Second}), s.now)
	s.accountLimit = newLimiter(orLimit(cfg.SignInPerAccount, RateLimit{5, time.Minute}), s.now)
	s.signUpLimit = newLimiter(orLimit(cfg.SignUpPerIP, RateLimit{10, 10 * time.Second}), s.now)
	s.hashSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	dummy, err := classroom.HashPassword("lectern-dummy-password", s.argon)
	if err != nil {
		panic("api: " + err.Error())
	}
	s.dummyHash = dummy
	s.cop = http.NewCrossOriginProtection()
	if cfg.BaseURL != "" {
		if err := s.cop.AddTrustedOrigin(originOf(cfg.BaseURL)); err != nil {
			s.log.Warn("BaseURL is not a valid origin", "base_url", cfg.BaseURL, "err", err)
		}
	}
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Error{Status: http.StatusForbidden, Code: "cross_origin",
			Message: "cross-origin request refused"})
	}))
	return s
}

func orLimit(l, def RateLimit) RateLimit {
	if l.Burst <= 0 || l.Every <= 0 {
		return def
	}
	return l
}

// Close waits for mail still being sent.
func (s *Server) Close() error {
	s.wg.Wait()
	return nil
}

// Register adds every /api/v1 route to mux.
func (s *Server) Register(mux *http.ServeMux) {
	routes := []struct {
		pattern string
		h       http.Handler
	}{
		// accounts and sessions
		{"POST /api/v1/accounts", s.public(s.register)},
		{"POST /api/v1/sessions", s.public(s.signIn)},
		{"GET /api/v1/session", s.authed(s.currentSession)},
		{"DELETE /api/v1/session", s.authed(s.signOut)},
		{"GET /api/v1/sessions", s.authed(s.listSessions)},
		{"DELETE /api/v1/sessions/{id}", s.authed(s.revokeSession)},
		{"POST /api/v1/password-resets", s.public(s.requestReset)},
		{"POST /api/v1/password-resets/confirm", s.public(s.confirmReset)},
		// profile
		{"GET /api/v1/me", s.authed(s.me)},
		{"PATCH /api/v1/me", s.authed(s.updateProfile)},
		{"PUT /api/v1/me/password", s.authed(s.changePassword)},
		{"PUT /api/v1/me/avatar", s.authed(s.putAvatar)},
		{"DELETE /api/v1/me/avatar", s.authed(s.deleteAvatar)},
		{"GET /api/v1/accounts/{id}/avatar", s.public(s.getAvatar)},
		{"GET /api/v1/me/courses", s.authed(s.myCourses)},
		{"GET /api/v1/me/lessons", s.authed(s.myLessons)},
		// courses
		{"GET /api/v1/courses", s.optional(s.listCourses)},
		{"POST /api/v1/courses", s.authed(s.createCourse)},
		{"GET /api/v1/courses/{id}", s.optional(s.getCourse)},
		{"PATCH /api/v1/courses/{id}", s.authed(s.updateCourse)},
		{"PUT /api/v1/courses/{id}/cover", s.authed(s.putCover)},
		{"GET /api/v1/courses/{id}/cover", s.public(s.getCover)},
		{"POST /api/v1/courses/{id}/enrolment", s.authed(s.enrol)},
		// lessons
		{"GET /api/v1/courses/{id}/lessons", s.optional(s.listLessons)},
		{"POST /api/v1/courses/{id}/lessons", s.authed(s.createLesson)},
		{"GET /api/v1/lessons/{id}", s.optional(s.getLesson)},
		{"PATCH /api/v1/lessons/{id}", s.authed(s.updateLesson)},
		{"POST /api/v1/lessons/{id}/status", s.authed(s.setLessonStatus)},
		{"POST /api/v1/lessons/{id}/join", s.authed(s.join)},
		// administration
		{"GET /api/v1/admin/accounts", s.authed(s.adminListAccounts)},
		{"PUT /api/v1/admin/accounts/{id}/roles", s.authed(s.adminSetRoles)},
	}
	s.mount(mux, routes)
	s.registerPublishing(mux)
	mux.Handle("/api/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint"})
	}))
}
