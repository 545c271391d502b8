package billing_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestNumericInputsBounded sends every numeric field of the course,
// lesson, price and coupon routes values past their bounds, including
// ones that overflow a conversion (106751992 days is past what
// time.Duration holds), and expects a precise refusal that changes
// nothing.
func TestNumericInputsBounded(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		teacher := e.register("t@example.org", classroom.RoleTeacher)
		courseID, lessonID := teacher.paidCourse("Bounded")
		expires := time.Now().Add(time.Hour)
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code               string
		}{
			{"refund window that overflows", "PUT", "/api/v1/courses/" + courseID + "/price",
				map[string]any{"amount": 100, "currency": "EUR", "refund_window_days": 106751992}, 422, "invalid_input"},
			{"refund window past a year", "PUT", "/api/v1/courses/" + courseID + "/price",
				map[string]any{"amount": 100, "currency": "EUR", "refund_window_days": 366}, 422, "invalid_input"},
			{"negative refund window", "PUT", "/api/v1/courses/" + courseID + "/price",
				map[string]any{"amount": 100, "currency": "EUR", "refund_window_days": -1}, 422, "invalid_input"},
			{"refund percent", "PUT", "/api/v1/courses/" + courseID + "/price",
				map[string]any{"amount": 100, "currency": "EUR", "refund_lessons_percent": 1 << 40}, 422, "invalid_input"},
			{"amount past 10^12", "PUT", "/api/v1/courses/" + courseID + "/price",
				map[string]any{"amount": int64(1e13), "currency": "EUR"}, 422, "invalid_input"},
			{"amount past int64", "PUT", "/api/v1/courses/" + courseID + "/price",
				`{"amount": 99999999999999999999, "currency": "EUR"}`, 400, ""},
			{"percent off", "POST", "/api/v1/coupons",
				map[string]any{"code": "big1", "percent_off": 1 << 40, "expires_at": expires, "max_redemptions": 1}, 422, "invalid_input"},
			{"max redemptions", "POST", "/api/v1/coupons",
				map[string]any{"code": "big2", "percent_off": 10, "expires_at": expires, "max_redemptions": 1 << 40}, 422, "invalid_input"},
			{"amount off", "POST", "/api/v1/coupons",
				map[string]any{"code": "big3", "amount_off": int64(1e13), "currency": "EUR", "expires_at": expires, "max_redemptions": 1}, 422, "invalid_input"},
			{"lesson duration", "PATCH", "/api/v1/lessons/" + lessonID,
				map[string]any{"duration_minutes": 106751992 * 24 * 60}, 422, "invalid_input"},
			{"page limit", "GET", "/api/v1/courses?limit=99999999999999999999", nil, 400, "invalid_input"},
			{"page offset", "GET", "/api/v1/me/orders?offset=-1", nil, 400, "invalid_input"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var body any = c.body
				if s, ok := c.body.(string); ok {
					body = json.RawMessage(s)
				}
				r := teacher.do(c.method, c.path, body)
				if c.code == "" {
					want(t, r, c.status)
				} else {
					want(t, r, c.status, c.code)
				}
			})
		}
		// Nothing changed: the price and its default window are as set.
		r := teacher.do("GET", "/api/v1/courses/"+courseID+"/price", nil)
		want(t, r, http.StatusOK)
		var p struct {
			Amount           int64 `json:"amount"`
			RefundWindowDays int   `json:"refund_window_days"`
		}
		r.decode(t, &p)
		if p.Amount != 4900 || p.RefundWindowDays != 7 {
			t.Fatalf("price after refused changes: %+v", p)
		}
	})
}
