package billing_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestCouponGuessing: a used-up coupon answers exactly like a code that
// does not exist, and coupon attempts are limited per account and per
// address whatever the code (so the limit reveals nothing either); orders
// are limited too.
func TestCouponGuessing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, withAPI(func(c *api.Config) {
			c.TrustProxy = true
			c.ActionLimits = map[api.Action]api.ActionLimit{
				api.ActionCoupon: {PerAccount: api.RateLimit{Burst: 3, Every: time.Hour}, PerAddress: api.RateLimit{Burst: 5, Every: time.Hour}},
				api.ActionOrder:  {PerAccount: api.RateLimit{Burst: 6, Every: time.Hour}},
			}
		}))
		teacher := e.register("t@example.org", classroom.RoleTeacher)
		courseID, _ := teacher.paidCourse("Discounted")
		want(t, teacher.do("POST", "/api/v1/coupons", map[string]any{"code": "launch", "course_id": courseID,
			"percent_off": 100, "expires_at": time.Now().Add(time.Hour), "max_redemptions": 1}), http.StatusCreated)
		order := func(c *client, ip, key, code string) response {
			return c.do("POST", "/api/v1/orders", map[string]string{"course_id": courseID, "coupon": code},
				"Idempotency-Key", key, "X-Forwarded-For", ip)
		}
		first := e.register("first@example.org")
		want(t, order(first, "198.51.100.1", "k1", "LAUNCH"), http.StatusCreated) // free with the coupon: used up

		guesser := e.register("guesser@example.org")
		used := order(guesser, "198.51.100.2", "g1", "LAUNCH")
		unknown := order(guesser, "198.51.100.2", "g2", "NOSUCHCODE")
		want(t, used, http.StatusUnprocessableEntity, "coupon_invalid")
		if string(used.body) != string(unknown.body) || used.status != unknown.status {
			t.Fatalf("a used-up code answers %d %s, an unknown one %d %s", used.status, used.body, unknown.status, unknown.body)
		}
		// Per account: the third guess is the last, from any address.
		want(t, order(guesser, "198.51.100.3", "g3", "GUESS3"), http.StatusUnprocessableEntity, "coupon_invalid")
		want(t, order(guesser, "198.51.100.4", "g4", "GUESS4"), http.StatusTooManyRequests, "rate_limited")
		// Per address: 198.51.100.5 spends its five over several accounts.
		for i := range 5 {
			s := e.register(fmt.Sprintf("a%d@example.org", i))
			want(t, order(s, "198.51.100.5", "a", "GUESSA"), http.StatusUnprocessableEntity, "coupon_invalid")
			if i == 4 {
				want(t, order(s, "198.51.100.5", "b", "GUESSB"), http.StatusTooManyRequests, "rate_limited")
			}
		}
		// Orders without a coupon have their own limit: six per account.
		buyer := e.register("buyer@example.org")
		for i := range 6 {
			r := buyer.do("POST", "/api/v1/orders", map[string]string{"course_id": courseID}, "Idempotency-Key", "same")
			if r.status != http.StatusCreated && r.status != http.StatusOK {
				t.Fatalf("order %d: %d %s", i, r.status, r.body)
			}
		}
		want(t, buyer.do("POST", "/api/v1/orders", map[string]string{"course_id": courseID}, "Idempotency-Key", "same"),
			http.StatusTooManyRequests, "rate_limited")
	})
}
