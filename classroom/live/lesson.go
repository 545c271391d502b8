package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/lectern/lectern/token"
)

// Defaults.
const (
	DefaultStageLimit     = 6
	DefaultReconnectGrace = 60 * time.Second
	DefaultInviteTimeout  = 30 * time.Second
	DefaultChatBurst      = 5
	DefaultChatPer        = 10 * time.Second
	MaxStageLimit         = 50
)

// Lesson is the live state of one lesson. All methods are safe for
// concurrent use; each runs under one mutex and calls the Store while
// holding it.
type Lesson struct {
	id  string
	cfg config // set by New, read-only afterwards

	mu      sync.Mutex         // guards every field below
	members map[string]*member // participant id → member, connected or within grace
	conns   map[string]string  // connection id → participant id
	byUser  map[string]string  // user id → participant id
	gone    map[string]string  // participant id → user id, for participants who left or were removed
	banned  map[string]bool    // user ids banned from this lesson
	seq     uint64             // join order counter
	roster  []Recipient        // cached connected participants; nil when stale

	hands   []handEntry          // raised hands, first come first
	stage   []string             // participant ids on stage, in order of arrival
	invites map[string]time.Time // participant id → invite deadline

	locked      bool
	ended       bool
	chatEnabled bool
	slowMode    time.Duration
	stageLimit  int

	questions map[string]*Question
	qOrder    []string
	polls     map[string]*pollState
	pollOrder []string

	slides *SlideState // the deck on screen, nil for none (slides.go)

	roomSaved []byte // the RoomState last written to the store, as JSON (roomstate.go)
}

type config struct {
	stageLimit    int
	now           func() time.Time
	store         Store
	grace         time.Duration
	inviteTimeout time.Duration
	chatBurst     int
	chatPer       time.Duration
	newID         func() string
	log           *slog.Logger
	decks         Decks
	pointerBurst  int
	pointerPer    time.Duration
}

// Option configures a Lesson.
type Option func(*config)

// WithStageLimit sets how many students may be on stage at once (default 6).
func WithStageLimit(n int) Option { return func(c *config) { c.stageLimit = n } }

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithStore sets where chat, questions, polls and attendance are kept
// (default a new MemoryStore).
func WithStore(s Store) Option { return func(c *config) { c.store = s } }

// WithReconnectGrace sets how long a dropped participant keeps their place
// (default 60 s).
func WithReconnectGrace(d time.Duration) Option { return func(c *config) { c.grace = d } }

// WithInviteTimeout sets how long a student has to accept a stage invite
// (default 30 s).
func WithInviteTimeout(d time.Duration) Option { return func(c *config) { c.inviteTimeout = d } }

// WithChatRateLimit allows each participant burst chat messages (and
// questions) per window, refilled evenly (default 5 per 10 s).
func WithChatRateLimit(burst int, per time.Duration) Option {
	return func(c *config) { c.chatBurst, c.chatPer = burst, per }
}

// WithIDGenerator sets how question and poll ids are made (default 16
// random hex digits).
func WithIDGenerator(f func() string) Option { return func(c *config) { c.newID = f } }

// WithLogger sets the logger for store failures that cannot be returned
// (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// New returns the live state of lesson id.
func New(id string, opts ...Option) *Lesson {
	c := config{
		stageLimit:    DefaultStageLimit,
		now:           time.Now,
		grace:         DefaultReconnectGrace,
		inviteTimeout: DefaultInviteTimeout,
		chatBurst:     DefaultChatBurst,
		chatPer:       DefaultChatPer,
		newID:         randomID,
		pointerBurst:  DefaultPointerBurst,
		pointerPer:    DefaultPointerPer,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.store == nil {
		c.store = NewMemoryStore()
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	c.log = c.log.With("subsystem", "live", "lesson", id)
	if c.stageLimit < 0 {
		c.stageLimit = 0
	}
	if c.chatBurst < 1 {
		c.chatBurst = 1
	}
	if c.chatPer <= 0 {
		c.chatPer = DefaultChatPer
	}
	if c.pointerBurst < 1 || c.pointerPer <= 0 {
		c.pointerBurst, c.pointerPer = DefaultPointerBurst, DefaultPointerPer
	}
	return &Lesson{
		id:          id,
		cfg:         c,
		members:     map[string]*member{},
		conns:       map[string]string{},
		byUser:      map[string]string{},
		gone:        map[string]string{},
		banned:      map[string]bool{},
		invites:     map[string]time.Time{},
		questions:   map[string]*Question{},
		polls:       map[string]*pollState{},
		chatEnabled: true,
		stageLimit:  c.stageLimit,
	}
}

// ID returns the lesson id.
func (l *Lesson) ID() string { return l.id }

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (l *Lesson) now() time.Time { return l.cfg.now() }

// Settings is the room-wide state every client shows.
type Settings struct {
	ID              string `json:"id"`
	Locked          bool   `json:"locked"`
	Ended           bool   `json:"ended"`
	ChatEnabled     bool   `json:"chatEnabled"`
	SlowModeSeconds int    `json:"slowModeSeconds"`
	StageLimit      int    `json:"stageLimit"`
}

func (l *Lesson) settings() Settings {
	return Settings{
		ID:              l.id,
		Locked:          l.locked,
		Ended:           l.ended,
		ChatEnabled:     l.chatEnabled,
		SlowModeSeconds: int(l.slowMode / time.Second),
		StageLimit:      l.stageLimit,
	}
}

// Settings returns the room-wide state.
func (l *Lesson) Settings() Settings {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.settings()
}

func (l *Lesson) settingsEvent(r *Result) {
	r.emit(EvLessonUpdated, everyone(), l.settings())
}

// actor resolves the participant issuing a command.
func (l *Lesson) actor(id string) (*member, error) {
	if l.ended {
		return nil, errf(CodeEnded, "the lesson has ended")
	}
	m := l.members[id]
	if m == nil {
		if u, ok := l.gone[id]; ok && l.banned[u] {
			return nil, errf(CodeBanned, "you are banned from this lesson")
		}
		return nil, errf(CodeNotFound, "not in this lesson")
	}
	return m, nil
}

// moderator resolves an actor who must be a teacher or assistant.
func (l *Lesson) moderator(id string) (*member, error) {
	m, err := l.actor(id)
	if err != nil {
		return nil, err
	}
	if !m.Role.Moderator() {
		return nil, errf(CodeForbidden, "only the teacher or an assistant may do this")
	}
	return m, nil
}

// teacher resolves an actor who must be a teacher.
func (l *Lesson) teacher(id string) (*member, error) {
	m, err := l.actor(id)
	if err != nil {
		return nil, err
	}
	if m.Role != token.RoleTeacher {
		return nil, errf(CodeForbidden, "only the teacher may do this")
	}
	return m, nil
}

func rank(r token.Role) int {
	switch r {
	case token.RoleTeacher:
		return 3
	case token.RoleAssistant:
		return 2
	case token.RoleStudent:
		return 1
	}
	return 0
}

// target resolves the participant a moderator acts on, who must rank below
// the actor: a teacher acts on assistants, students and observers; an
// assistant on students and observers.
func (l *Lesson) target(actor *member, id string) (*member, error) {
	if id == "" {
		return nil, errf(CodeInvalid, "participantId is required")
	}
	t := l.members[id]
	if t == nil {
		return nil, errf(CodeNotFound, "no such participant")
	}
	if rank(t.Role) >= rank(actor.Role) {
		return nil, errf(CodeForbidden, "you cannot do this to a %s", t.Role)
	}
	return t, nil
}

// ordered returns members in join order.
func (l *Lesson) ordered() []*member {
	ms := make([]*member, 0, len(l.members))
	for _, m := range l.members {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].seq < ms[j].seq })
	return ms
}

// Tick applies every deadline that has passed at now: participants whose
// reconnection grace ran out leave, stage invites expire, timed polls
// close. Call it about once a second, or at NextDeadline.
func (l *Lesson) Tick(ctx context.Context, now time.Time) Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	if l.ended {
		return r
	}
	for _, m := range l.ordered() {
		if !m.connected && !now.Before(m.droppedAt.Add(l.cfg.grace)) {
			l.finalise(ctx, &r, m, "left", m.droppedAt)
		}
	}
	for _, id := range l.inviteIDs() {
		if !now.Before(l.invites[id]) {
			l.dropInvite(&r, id, "expired")
		}
	}
	for _, id := range l.pollOrder {
		p := l.polls[id]
		if !p.Closed && !p.ClosesAt.IsZero() && !now.Before(p.ClosesAt) {
			l.closePoll(ctx, &r, p, now)
		}
	}
	l.saveRoom(ctx)
	return r
}

// NextDeadline returns the earliest time Tick has work to do.
func (l *Lesson) NextDeadline() (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if l.ended {
		return next, false
	}
	for _, m := range l.members {
		if !m.connected {
			consider(m.droppedAt.Add(l.cfg.grace))
		}
	}
	for _, d := range l.invites {
		consider(d)
	}
	for _, p := range l.polls {
		if !p.Closed {
			consider(p.ClosesAt)
		}
	}
	return next, !next.IsZero()
}

func (l *Lesson) logStore(op string, err error) {
	if err != nil {
		l.cfg.log.Error("store failed", "op", op, "err", err)
	}
}
