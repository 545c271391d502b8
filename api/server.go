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

	"github.com/lectern/lectern/access"
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
	// MayAccess is asked (through package access) whether a student may
	// use a paid course's lesson.
	MayAccess(ctx context.Context, account classroom.Account, course classroom.Course, lessonID string) error
}

// Doors is the access policy (package access) asked at the API's doors:
// Decide at a lesson's, DecideCourse at a course-wide item's
// (content_doors.go).
type Doors interface {
	Decide(ctx context.Context, accountID, lessonID string, door access.Door) (access.Decision, error)
	DecideCourse(ctx context.Context, accountID, courseID string, door access.Door) (access.Decision, error)
}

// LessonLife moves a lesson's status; signaling implements it, so that
// ending a lesson also closes its room. Without one the API writes the
// status to the store alone. news (nil for none: a cancellation, its mails,
// an audit entry) must be written in the move's own transaction, or the
// move must fail: an implementation that asks another node to move the
// lesson sends the news with it.
type LessonLife interface {
	SetLessonStatus(ctx context.Context, lessonID string, next classroom.Status, by string, news *classroom.LessonNews) (classroom.Lesson, error)
}

// AccessListener hears that an account's access to a course (courseID ""
// for all its courses) may have changed, so that open connections are
// asked again; signaling implements it.
type AccessListener interface {
	AccessChanged(accountID, courseID string)
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
	// TokenTTL is a join token's lifetime (default DefaultTokenTTL); the
	// web client renews it while the lesson is open.
	TokenTTL time.Duration
	// Access is the paid-access hook (nil: every course is free).
	Access AccessPolicy
	// Doors is the access policy (nil: one built from Store and Access).
	Doors Doors
	// HLS hands out the signed access parameter of a lesson's HLS URLs
	// (the recorder's grants); nil: the join response names no HLS URL.
	HLS HLSAccess
	// PreferH264 tells the web client to publish H.264 (recording is then
	// a remux; docs/recording.md).
	PreferH264 bool
	// Argon2 are the password-hashing parameters (zero:
	// classroom.DefaultArgon2()).
	Argon2 classroom.Argon2Params
	// MaxBodyBytes bounds JSON request bodies (default 64 KiB).
	MaxBodyBytes int64
	// RequestTimeout bounds each request's store work (default 15s).
	RequestTimeout time.Duration
	// SignInPerIP and SignInPerAccount limit sign-in attempts (defaults:
	// 20 then 1 per 3s per address; 5 failures then 1 per minute per
	// account from unknown browsers, and the same again per known browser,
	// see device.go). SignUpPerIP limits registrations and reset requests
	// (default 10 then 1 per 10s).
	SignInPerIP, SignInPerAccount, SignUpPerIP RateLimit
	// ActionLimits override DefaultActionLimits (coupon guesses, orders,
	// join tokens) per action; zero fields keep the defaults.
	ActionLimits map[Action]ActionLimit
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
	// ReminderEvery is how often lesson reminders are looked for when an
	// Outbox is set (default a minute; negative: never, as without an
	// Outbox).
	ReminderEvery time.Duration
}

// Server serves the REST API. Close it to send the password-reset mail
// still queued and stop its worker.
type Server struct {
	store    classroom.Store
	signer   *token.Signer
	log      *slog.Logger
	mailer   Mailer
	outbox   Outbox
	tokenTTL time.Duration
	access   AccessPolicy
	doors    Doors
	life     LessonLife
	listener AccessListener
	router   Router // nil: one node (placement.go)
	hls      HLSAccess
	h264     bool
	argon    classroom.Argon2Params
	maxBody  int64
	timeout  time.Duration
	trust    bool
	urls     *publicurl.Resolver
	now      func() time.Time

	ipLimit, accountLimit, signUpLimit *limiter
	actions                            map[Action]actionLimiters // read-only after New
	hashSlots                          chan struct{}             // bounds concurrent argon2 work
	dummyHash                          string                    // verified for unknown emails
	cop                                *http.CrossOriginProtection
	deviceKey                          []byte // signs device cookies (device.go)
	verifyKey                          []byte // signs address-verification links (verify.go)

	resets    chan resetJob // password-reset requests for resetWorker (reset.go)
	stop      chan struct{} // closed by Close
	closeOnce sync.Once
	wg        sync.WaitGroup // the reset worker
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
		tokenTTL: cmp.Or(cfg.TokenTTL, DefaultTokenTTL),
		access:   cfg.Access,
		hls:      cfg.HLS,
		h264:     cfg.PreferH264,
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
	s.doors = cfg.Doors
	if s.doors == nil {
		var opts []access.Option
		if cfg.Access != nil {
			opts = append(opts, access.WithEntitlements(cfg.Access))
		}
		s.doors = access.New(cfg.Store, opts...)
	}
	s.life = storeLife{st: cfg.Store, now: s.now}
	if s.mailer == nil {
		s.mailer = LogMailer{Logger: s.log}
	}
	s.ipLimit = newLimiter(orLimit(cfg.SignInPerIP, RateLimit{20, 3 * time.Second}), s.now)
	s.accountLimit = newLimiter(orLimit(cfg.SignInPerAccount, RateLimit{5, time.Minute}), s.now)
	s.actions = newActionLimiters(cfg.ActionLimits, s.now)
	s.signUpLimit = newLimiter(orLimit(cfg.SignUpPerIP, RateLimit{10, 10 * time.Second}), s.now)
	s.hashSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	dummy, err := classroom.HashPassword("lectern-dummy-password", s.argon)
	if err != nil {
		panic("api: " + err.Error())
	}
	s.dummyHash = dummy
	s.deviceKey = deviceKey(cfg.Signer)
	s.verifyKey = derivedKey(cfg.Signer, "lectern-email-verification-key")
	s.resets, s.stop = make(chan resetJob, resetQueueLen), make(chan struct{})
	s.wg.Add(1)
	go s.resetWorker()
	if every := cmp.Or(cfg.ReminderEvery, time.Minute); cfg.Outbox != nil && every > 0 {
		s.wg.Add(1)
		go s.reminderWorker(every)
	}
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

// DefaultTokenTTL is a join token's default lifetime: short, so that a
// token taken before access ended is soon worthless; the web client renews
// it (docs/protocol.md).
const DefaultTokenTTL = 10 * time.Minute

// SetLessonLife makes l the owner of lesson status changes (call before
// serving).
func (s *Server) SetLessonLife(l LessonLife) {
	if l != nil {
		s.life = l
	}
}

// SetAccessListener makes l hear access changes (call before serving).
func (s *Server) SetAccessListener(l AccessListener) { s.listener = l }

// accessChanged tells the listener, if any.
func (s *Server) accessChanged(accountID, courseID string) {
	if s.listener != nil {
		s.listener.AccessChanged(accountID, courseID)
	}
}

// Close stops the password-reset worker after the requests already
// queued, and waits for it. It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	s.wg.Wait()
	return nil
}

// Register adds every /api/v1 route to mux.
func (s *Server) Register(mux *http.ServeMux) {
	routes := []route{
		// accounts and sessions
		{"POST /api/v1/accounts", s.public(s.register)},
		{"POST /api/v1/sessions", s.public(s.signIn)},
		{"GET /api/v1/session", s.authed(s.currentSession)},
		{"DELETE /api/v1/session", s.authed(s.signOut)},
		{"GET /api/v1/sessions", s.authed(s.listSessions)},
		{"DELETE /api/v1/sessions/{id}", s.authed(s.revokeSession)},
		{"POST /api/v1/password-resets", s.public(s.requestReset)},
		{"POST /api/v1/password-resets/confirm", s.public(s.confirmReset)},
		{"POST /api/v1/email-verifications/confirm", s.public(s.confirmVerification)},
		{"POST /api/v1/me/email-verification", s.authed(s.resendVerification)},
		// profile
		{"GET /api/v1/me", s.authed(s.me)},
		{"PATCH /api/v1/me", s.authed(s.updateProfile)},
		{"PUT /api/v1/me/password", s.authed(s.changePassword)},
		{"PUT /api/v1/me/email", s.authed(s.changeEmail)},
		{"PUT /api/v1/me/avatar", s.authed(s.putAvatar)},
		{"DELETE /api/v1/me/avatar", s.authed(s.deleteAvatar)},
		{"GET /api/v1/accounts/{id}/avatar", s.public(s.getAvatar)},
		{"GET /api/v1/me/courses", s.authed(s.myCourses)},
		{"GET /api/v1/me/lessons", s.authed(s.myLessons)},
		// courses
		{"GET /api/v1/courses", s.optional(s.listCourses)},
		{"POST /api/v1/courses", s.authed(s.createCourse)},
		{"GET /api/v1/courses/{id}", s.optional(s.getCourse)},
		{"GET /api/v1/teachers/{id}", s.public(s.teacherProfile)},
		{"PATCH /api/v1/courses/{id}", s.authed(s.updateCourse)},
		{"PUT /api/v1/courses/{id}/cover", s.authed(s.putCover)},
		{"GET /api/v1/courses/{id}/cover", s.public(s.getCover)},
		{"POST /api/v1/courses/{id}/enrolment", s.authed(s.enrol)},
		{"DELETE /api/v1/courses/{id}/enrolment", s.authed(s.leaveCourse)},
		{"DELETE /api/v1/courses/{id}/students/{account}", s.authed(s.removeStudent)},
		{"GET /api/v1/courses/{id}/roster", s.authed(s.roster)},
		// lessons
		{"GET /api/v1/courses/{id}/lessons", s.optional(s.listLessons)},
		{"POST /api/v1/courses/{id}/lessons", s.authed(s.createLesson)},
		{"GET /api/v1/lessons/{id}", s.optional(s.getLesson)},
		{"PATCH /api/v1/lessons/{id}", s.authed(s.updateLesson)},
		{"POST /api/v1/lessons/{id}/status", s.authed(s.setLessonStatus)},
		{"POST /api/v1/lessons/{id}/cancel", s.authed(s.cancelLesson)},
		{"POST /api/v1/lessons/{id}/join", s.authed(s.throttled(ActionJoin, s.join))},
		// administration
		{"GET /api/v1/admin/accounts", s.authed(s.adminListAccounts)},
		{"PUT /api/v1/admin/accounts/{id}/roles", s.authed(s.adminSetRoles)},
		{"PUT /api/v1/admin/accounts/{id}/disabled", s.authed(s.adminSetDisabled)},
		{"GET /api/v1/admin/live-lessons", s.authed(s.adminLiveLessons)},
		{"POST /api/v1/admin/live-lessons/{id}/end", s.authed(s.adminEndLesson)},
	}
	s.mount(mux, routes)
	s.registerPublishing(mux)
	mux.Handle("/api/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint"})
	}))
}

// HSTSHeader is the Strict-Transport-Security value SecurityHeaders sends:
// one year; subdomains are left to their own servers.
const HSTSHeader = "max-age=31536000"

// SecurityHeaders wraps the whole server (API, signalling, web client):
// a response to a request that reached Lectern over https (TLS, an https
// BaseURL, or X-Forwarded-Proto: https from a trusted proxy) carries
// Strict-Transport-Security, so browsers never fall back to plain http.
func (s *Server) SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.secure(r) {
			w.Header().Set("Strict-Transport-Security", HSTSHeader)
		}
		next.ServeHTTP(w, r)
	})
}
