package live

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

func seqIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("id%d", n)
	}
}

var ctx = context.Background()

func newTestLesson(t testing.TB, opts ...Option) (*Lesson, *clock) {
	t.Helper()
	c := newClock()
	base := []Option{WithClock(c.Now), WithIDGenerator(seqIDs())}
	return New("lesson-1", append(base, opts...)...), c
}

// join admits participant id (user "u-"+id) with the role's default
// permissions.
func join(t testing.TB, l *Lesson, id string, role token.Role) JoinResult {
	t.Helper()
	jr, err := l.Join(ctx, JoinRequest{ConnID: id, UserID: "u-" + id, Name: id, Role: role, Perms: token.DefaultPermissions(role)})
	if err != nil {
		t.Fatalf("join %s: %v", id, err)
	}
	return jr
}

// ok returns a checker for a command's (Result, error): ok(t)(l.X(...)).
func ok(t testing.TB) func(Result, error) Result {
	return func(r Result, err error) Result {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return r
	}
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := CodeOf(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func events(r Result, typ string) []Event {
	var out []Event
	for _, e := range r.Events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func effects(r Result, k EffectKind) []Effect {
	var out []Effect
	for _, e := range r.Effects {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func dispatch(t testing.TB, l *Lesson, actor, typ string, payload any) (Result, error) {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return l.Dispatch(ctx, actor, typ, raw)
}

// received returns what participant id with role gets from r, by type.
func received(r Result, id string, role token.Role) map[string][]any {
	out := map[string][]any{}
	for _, e := range r.Events {
		if p, ok := e.For(id, role); ok {
			out[e.Type] = append(out[e.Type], p)
		}
	}
	return out
}

func TestNewDefaults(t *testing.T) {
	l := New("x")
	s := l.Settings()
	if s.StageLimit != DefaultStageLimit || !s.ChatEnabled || s.Locked || s.Ended || s.ID != "x" {
		t.Fatalf("settings = %+v", s)
	}
	if _, ok := l.NextDeadline(); ok {
		t.Fatal("fresh lesson has a deadline")
	}
}

func TestTickAndNextDeadline(t *testing.T) {
	l, c := newTestLesson(t, WithInviteTimeout(10*time.Second))
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "q?", Kind: PollYesNo, DurationSeconds: 30}))
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
	l.Leave(ctx, "t")

	next, ok := l.NextDeadline()
	if !ok || !next.Equal(c.Now().Add(10*time.Second)) {
		t.Fatalf("next = %v %v, want invite deadline", next, ok)
	}
	if r := l.Tick(ctx, c.Now()); len(r.Events) != 0 {
		t.Fatalf("early tick produced %v", r.Events)
	}
	r := l.Tick(ctx, c.Add(10*time.Second))
	if len(events(r, EvStageDeclined)) != 1 {
		t.Fatalf("invite did not expire: %+v", r.Events)
	}
	r = l.Tick(ctx, c.Add(20*time.Second))
	if len(events(r, EvPollResults)) != 1 {
		t.Fatalf("poll did not close: %+v", r.Events)
	}
	r = l.Tick(ctx, c.Add(30*time.Second))
	if len(events(r, EvParticipantLeft)) != 1 {
		t.Fatalf("teacher did not leave after grace: %+v", r.Events)
	}
	if _, ok := l.NextDeadline(); ok {
		t.Fatal("deadline left after everything ran")
	}
}
