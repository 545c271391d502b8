package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
)

// TestJoinTokensThrottled: join tokens are issued at most so often per
// account and per client address, with a 429 that says when to retry.
func TestJoinTokensThrottled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		tch := h.teacher("tch@example.org")
		a := h.register("a@example.org", "A")
		b := h.register("b@example.org", "B")
		c := tch.course("Throttled")
		l := tch.lesson(c.ID, "Live one", t0, 60)
		for _, s := range []*client{a, b} {
			want(t, s.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusCreated)
		}
		join := func(s *client, ip string) response {
			return s.do("POST", "/api/v1/lessons/"+l.ID+"/join", nil, "X-Forwarded-For", ip)
		}
		// Per account: two, then 429 even from another address.
		want(t, join(a, "198.51.100.1"), http.StatusOK)
		want(t, join(a, "198.51.100.1"), http.StatusOK)
		r := join(a, "198.51.100.2")
		want(t, r, http.StatusTooManyRequests, "rate_limited")
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		// Per address: b shares 198.51.100.1, which has spent its three.
		want(t, join(b, "198.51.100.1"), http.StatusOK)
		want(t, join(b, "198.51.100.1"), http.StatusTooManyRequests, "rate_limited")
		want(t, join(b, "198.51.100.3"), http.StatusOK)
	}, func(cfg *api.Config) {
		cfg.TrustProxy = true
		cfg.ActionLimits = map[api.Action]api.ActionLimit{api.ActionJoin: {
			PerAccount: api.RateLimit{Burst: 2, Every: time.Hour}, PerAddress: api.RateLimit{Burst: 3, Every: time.Hour}}}
	})
}
