package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/store/storetest"
)

// TestCouponDisable: a teacher disables their coupon (another teacher
// cannot); it keeps its redemptions and no longer applies.
func TestCouponDisable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		withBilling(t, h)
		tch := h.teacher("t@example.org")
		other := h.teacher("o@example.org")
		course := tch.course("Priced")
		storetest.Publish(t, h.st, course.ID)
		want(t, tch.do("PUT", "/api/v1/courses/"+course.ID+"/price", map[string]any{"amount": 5000, "currency": "CNY"}), http.StatusOK)
		order := func(who *client) response {
			return who.do("POST", "/api/v1/orders", map[string]any{"course_id": course.ID, "coupon": "spring"},
				"Idempotency-Key", uuid.NewString())
		}
		r := tch.do("POST", "/api/v1/coupons", map[string]any{"code": "spring", "percent_off": 20, "max_redemptions": 5,
			"expires_at": time.Now().Add(48 * time.Hour)})
		want(t, r, http.StatusCreated)
		var cp struct {
			ID        string    `json:"id"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		r.decode(t, &cp)
		want(t, order(h.register("a@example.org", "A")), http.StatusCreated)
		want(t, other.do("POST", "/api/v1/coupons/"+cp.ID+"/disable", nil), http.StatusNotFound)
		want(t, tch.do("POST", "/api/v1/coupons/"+uuid.NewString()+"/disable", nil), http.StatusNotFound)
		r = tch.do("POST", "/api/v1/coupons/"+cp.ID+"/disable", nil)
		want(t, r, http.StatusOK)
		var done struct {
			ExpiresAt time.Time `json:"expires_at"`
		}
		r.decode(t, &done)
		if !done.ExpiresAt.Before(cp.ExpiresAt) || done.ExpiresAt.After(time.Now()) {
			t.Fatalf("disabled coupon expires %v (was %v)", done.ExpiresAt, cp.ExpiresAt)
		}
		// Disabling again changes nothing.
		r = tch.do("POST", "/api/v1/coupons/"+cp.ID+"/disable", nil)
		want(t, r, http.StatusOK)
		var again struct {
			ExpiresAt time.Time `json:"expires_at"`
			Redeemed  int       `json:"redeemed"`
		}
		r.decode(t, &again)
		if !again.ExpiresAt.Equal(done.ExpiresAt) || again.Redeemed != 1 {
			t.Fatalf("second disable: expiry %v -> %v, %d redemptions (want 1 kept)", done.ExpiresAt, again.ExpiresAt, again.Redeemed)
		}
		want(t, order(h.register("b@example.org", "B")), http.StatusUnprocessableEntity, "coupon_invalid")
	})
}
