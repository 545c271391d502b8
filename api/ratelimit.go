package api

import (
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"
)

// maxBuckets bounds a limiter's memory: past it, full buckets (clients
// that have been quiet) are forgotten, and if that is not enough, all are.
const maxBuckets = 100_000

// limiter is a set of token buckets keyed by client address or account.
type limiter struct {
	rate RateLimit
	now  func() time.Time

	mu      sync.Mutex // guards buckets
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was computed
}

func newLimiter(rate RateLimit, now func() time.Time) *limiter {
	return &limiter{rate: rate, now: now, buckets: map[string]*bucket{}}
}

// refill brings b up to date; mu must be held.
func (l *limiter) refill(b *bucket, now time.Time) {
	gained := float64(now.Sub(b.at)) / float64(l.rate.Every)
	b.tokens = math.Min(float64(l.rate.Burst), b.tokens+gained)
	b.at = now
}

func (l *limiter) get(key string, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: float64(l.rate.Burst), at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	return b
}

func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}

// take spends one token for key. If none is left it reports false and how
// long until one is.
func (l *limiter) take(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.get(key, now)
	if b.tokens < 1 {
		return false, l.wait(b)
	}
	b.tokens--
	return true, 0
}

// check reports whether key has a token left, without spending it.
func (l *limiter) check(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.get(key, l.now())
	if b.tokens < 1 {
		return false, l.wait(b)
	}
	return true, 0
}

// reset forgets key, e.g. after a successful sign-in.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.buckets, key)
	l.mu.Unlock()
}

func (l *limiter) wait(b *bucket) time.Duration {
	return time.Duration((1 - b.tokens) * float64(l.rate.Every))
}

// Action names attempts that Throttle limits per account and per client
// address: guesses (coupon codes) and requests that cost (orders open a
// provider checkout; join tokens open media sessions).
type Action string

// The throttled actions.
const (
	ActionCoupon Action = "coupon" // an order that carries a coupon code
	ActionOrder  Action = "order"  // POST /api/v1/orders
	ActionJoin   Action = "join"   // POST /api/v1/lessons/{id}/join
)

// ActionLimit is one action's limits. Per-address limits are generous:
// a school's whole class may share one address behind NAT.
type ActionLimit struct {
	PerAccount, PerAddress RateLimit
}

// DefaultActionLimits are the limits unless Config.ActionLimits says
// otherwise.
var DefaultActionLimits = map[Action]ActionLimit{
	ActionCoupon: {PerAccount: RateLimit{10, time.Minute}, PerAddress: RateLimit{100, 6 * time.Second}},
	ActionOrder:  {PerAccount: RateLimit{60, 5 * time.Second}, PerAddress: RateLimit{300, time.Second}},
	ActionJoin:   {PerAccount: RateLimit{60, 2 * time.Second}, PerAddress: RateLimit{600, 100 * time.Millisecond}},
}

// actionLimiters holds one action's buckets.
type actionLimiters struct{ account, address *limiter }

func newActionLimiters(custom map[Action]ActionLimit, now func() time.Time) map[Action]actionLimiters {
	out := make(map[Action]actionLimiters, len(DefaultActionLimits))
	for a, def := range DefaultActionLimits {
		l := custom[a]
		out[a] = actionLimiters{
			account: newLimiter(orLimit(l.PerAccount, def.PerAccount), now),
			address: newLimiter(orLimit(l.PerAddress, def.PerAddress), now),
		}
	}
	return out
}

// Throttle spends one attempt at action a for accountID and the client's
// address, or answers 429 rate_limited with Retry-After. The answer does
// not depend on what is attempted (which coupon code, which lesson).
func (s *Server) Throttle(w http.ResponseWriter, r *http.Request, a Action, accountID string) error {
	l, ok := s.actions[a]
	if !ok {
		return fmt.Errorf("api: unknown throttled action %q", a)
	}
	if err := s.limit(w, l.address, s.clientIP(r)); err != nil {
		return err
	}
	return s.limit(w, l.account, accountID)
}

// throttled limits h as action a (see Throttle).
func (s *Server) throttled(a Action, h authHandler) authHandler {
	return func(w http.ResponseWriter, r *http.Request, c *caller) error {
		if err := s.Throttle(w, r, a, c.account.ID); err != nil {
			return err
		}
		return h(w, r, c)
	}
}
