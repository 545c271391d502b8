package api

import (
	"math"
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
