package live

import (
	"context"
	"errors"
	"math"
	"time"
)

// Slides in the room: a teacher or an assistant presents a PDF from the
// course's materials and everyone sees the same page. The deck and its
// page are room state (in every snapshot, kept in the RoomState so that
// they survive a restart); every change is also appended to the store's
// slide log with its time, so that a replay shows the slide that was up
// at each moment. The laser pointer is neither stored nor logged, and is
// rate-limited per participant.

// Slide message types, as Dispatch routes them.
const (
	MsgSlidesOpen    = "slides.open"
	MsgSlidesPage    = "slides.page"
	MsgSlidesPointer = "slides.pointer"
	MsgSlidesClose   = "slides.close"
)

// Slide event types sent to clients.
const (
	EvSlidesState   = "slides.state"
	EvSlidesPointer = "slides.pointer"
)

// Limits of the slide commands.
const (
	// MaxSlidePages bounds a page number when the deck's page count is
	// unknown.
	MaxSlidePages = 10000
	// DefaultPointerBurst pointer moves are allowed per DefaultPointerPer
	// (refilled evenly): a pointer that follows the mouse at 20 Hz.
	DefaultPointerBurst = 20
	DefaultPointerPer   = time.Second
)

// SlideDeck is a material a lesson may present: a PDF of the lesson's
// course, attached to that lesson or to the whole course.
type SlideDeck struct {
	MaterialID string `json:"materialId"`
	Name       string `json:"name"`
	Pages      int    `json:"pages,omitempty"` // 0: unknown
}

// Decks finds the deck a moderator asks to present. It returns an error
// wrapping ErrNotFound for a material that does not exist or is not of
// the lesson's course, or an *Error (CodeForbidden, CodeInvalid) that says
// why the material may not be presented in this lesson. The application
// implements it with the materials store and the access policy; a Lesson
// without Decks presents nothing.
type Decks interface {
	SlideDeck(ctx context.Context, lessonID, materialID string) (SlideDeck, error)
}

// WithDecks sets where slides.open finds its decks.
func WithDecks(d Decks) Option { return func(c *config) { c.decks = d } }

// WithPointerRateLimit allows each moderator burst pointer moves per
// window (default 20 per second).
func WithPointerRateLimit(burst int, per time.Duration) Option {
	return func(c *config) { c.pointerBurst, c.pointerPer = burst, per }
}

// SlideState is the deck on screen and its page.
type SlideState struct {
	SlideDeck
	Page int    `json:"page"` // 1-based
	By   string `json:"by"`   // participant id of the last change
	At   int64  `json:"at"`   // Unix ms of the last change
}

// SlidesChanged is the payload of slides.state: the state, or null when
// the slides were closed.
type SlidesChanged struct {
	Slides *SlideState `json:"slides"`
}

// SlidePointer is the payload of slides.pointer, the client's and the
// server's: x and y are fractions of the page's width and height from
// its top left corner; Hide takes the pointer away.
type SlidePointer struct {
	ParticipantID string  `json:"participantId,omitempty"` // set by the server
	X             float64 `json:"x"`
	Y             float64 `json:"y"`
	Hide          bool    `json:"hide,omitempty"`
}

// SlidesOpen presents a material, at Page (default 1).
type SlidesOpen struct {
	MaterialID string `json:"materialId"`
	Page       int    `json:"page,omitempty"`
}

// SlidesPage turns the deck on screen to Page.
type SlidesPage struct {
	Page int `json:"page"`
}

// SlidesClose takes the deck off the screen.
type SlidesClose struct{}

// SlideEvent is one change of the slides, as the slide log keeps it: the
// deck and page from At on, MaterialID "" when the slides were closed.
type SlideEvent struct {
	LessonID   string    `json:"-"`
	At         time.Time `json:"at"`
	MaterialID string    `json:"materialId"`
	Page       int       `json:"page"`
}

// SlideLog keeps the timeline of a lesson's slides for its replays.
type SlideLog interface {
	// AppendSlideEvent appends e to its lesson's timeline.
	AppendSlideEvent(ctx context.Context, e SlideEvent) error
	// SlideEvents returns a lesson's timeline, oldest first.
	SlideEvents(ctx context.Context, lessonID string) ([]SlideEvent, error)
}

// OpenSlides presents a deck: moderators only, and only a material Decks
// accepts for this lesson.
func (l *Lesson) OpenSlides(ctx context.Context, actor string, c SlidesOpen) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, err := l.moderator(actor)
	if err != nil {
		return Result{}, err
	}
	if c.MaterialID == "" || len(c.MaterialID) > 64 {
		return Result{}, errf(CodeInvalid, "materialId is required")
	}
	if l.cfg.decks == nil {
		return Result{}, errf(CodeNotFound, "this lesson has no materials to present")
	}
	deck, err := l.cfg.decks.SlideDeck(ctx, l.id, c.MaterialID)
	if err != nil {
		var le *Error
		switch {
		case errors.As(err, &le):
			return Result{}, le
		case errors.Is(err, ErrNotFound):
			return Result{}, errf(CodeNotFound, "no such material in this course")
		}
		l.logStore("slide deck", err)
		return Result{}, internal(err)
	}
	page := max(c.Page, 1)
	if err := checkPage(deck, page); err != nil {
		return Result{}, err
	}
	return l.setSlides(ctx, m, &SlideState{SlideDeck: deck, Page: page})
}

// TurnSlide turns the deck on screen to another page.
func (l *Lesson) TurnSlide(ctx context.Context, actor string, c SlidesPage) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, err := l.presenter(actor)
	if err != nil {
		return Result{}, err
	}
	if err := checkPage(l.slides.SlideDeck, c.Page); err != nil {
		return Result{}, err
	}
	if c.Page == l.slides.Page {
		return Result{}, nil
	}
	s := *l.slides
	s.Page = c.Page
	return l.setSlides(ctx, m, &s)
}

// CloseSlides takes the deck off the screen.
func (l *Lesson) CloseSlides(ctx context.Context, actor string, _ SlidesClose) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, err := l.moderator(actor)
	if err != nil {
		return Result{}, err
	}
	if l.slides == nil {
		return Result{}, nil
	}
	return l.setSlides(ctx, m, nil)
}

// PointSlide moves (or hides) the actor's pointer on the page: sent to
// everyone else, never stored.
func (l *Lesson) PointSlide(_ context.Context, actor string, c SlidePointer) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, err := l.presenter(actor)
	if err != nil {
		return Result{}, err
	}
	if !c.Hide && (math.IsNaN(c.X) || math.IsNaN(c.Y) || c.X < 0 || c.X > 1 || c.Y < 0 || c.Y > 1) {
		return Result{}, errf(CodeInvalid, "x and y must be between 0 and 1")
	}
	if ok, wait := m.pointer.take(l.now(), l.cfg.pointerBurst, l.cfg.pointerPer); !ok {
		return Result{}, rateLimited(wait, "too many pointer moves")
	}
	var r Result
	p := SlidePointer{ParticipantID: m.ID, Hide: c.Hide}
	if !c.Hide {
		p.X, p.Y = c.X, c.Y
	}
	r.emit(EvSlidesPointer, everyoneExcept(m.ID), p)
	return r, nil
}

// presenter returns the actor if they are a moderator and slides are
// open. Callers hold l.mu.
func (l *Lesson) presenter(actor string) (*member, error) {
	m, err := l.moderator(actor)
	if err != nil {
		return nil, err
	}
	if l.slides == nil {
		return nil, errf(CodeConflict, "no slides are open")
	}
	return m, nil
}

func checkPage(d SlideDeck, page int) error {
	limit := MaxSlidePages
	if d.Pages > 0 {
		limit = d.Pages
	}
	if page < 1 || page > limit {
		return errf(CodeInvalid, "page must be between 1 and %d", limit)
	}
	return nil
}

// setSlides makes s (nil: none) the slides on screen, logs the change and
// tells everyone. Callers hold l.mu. The log write comes first: a change
// the replay would not show is refused.
func (l *Lesson) setSlides(ctx context.Context, m *member, s *SlideState) (Result, error) {
	now := l.now()
	e := SlideEvent{LessonID: l.id, At: now.UTC()}
	if s != nil {
		s.By, s.At = m.ID, now.UnixMilli()
		e.MaterialID, e.Page = s.MaterialID, s.Page
	}
	if err := l.cfg.store.AppendSlideEvent(ctx, e); err != nil {
		l.logStore("slide event", err)
		return Result{}, internal(err)
	}
	l.slides = s
	var r Result
	r.emit(EvSlidesState, everyone(), SlidesChanged{Slides: l.slidesInfo()})
	return r, nil
}

// slidesInfo is a copy of the slides on screen, nil for none. Callers
// hold l.mu.
func (l *Lesson) slidesInfo() *SlideState {
	if l.slides == nil {
		return nil
	}
	s := *l.slides
	return &s
}

// Slides returns the slides on screen, nil for none.
func (l *Lesson) Slides() *SlideState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.slidesInfo()
}

// restoreSlides takes the slides of a stored RoomState back, if they make
// sense. Callers hold l.mu.
func (l *Lesson) restoreSlides(s *SlideState) {
	if s == nil || s.MaterialID == "" || checkPage(s.SlideDeck, s.Page) != nil {
		return
	}
	c := *s
	l.slides = &c
}
