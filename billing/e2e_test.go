package billing_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestPurchaseEndToEnd is the whole purchase with the dev provider over
// HTTP: a join refused before payment, allowed after, refused again after
// a full refund.
func TestPurchaseEndToEnd(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		teacher := e.register("teacher@example.org", classroom.RoleTeacher)
		student := e.register("student@example.org")
		courseID, lessonID := teacher.paidCourse("Go for teachers")

		// The price is public; the student does not own the course.
		r := student.do("GET", "/api/v1/courses/"+courseID+"/price", nil)
		want(t, r, http.StatusOK)
		var price struct {
			Free    bool   `json:"free"`
			Amount  int64  `json:"amount"`
			Display string `json:"display"`
			Owned   *bool  `json:"owned"`
		}
		r.decode(t, &price)
		if price.Free || price.Amount != 4900 || price.Display != "49.00 EUR" || price.Owned == nil || *price.Owned {
			t.Fatalf("price = %+v", price)
		}

		// Not a member: 403. Enrolled without paying: 402.
		want(t, student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil), http.StatusForbidden, "not_a_member")
		want(t, student.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
		want(t, student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil), http.StatusPaymentRequired, "payment_required")

		// Buy: no key, 400; created, 201; double click, the same order; same
		// key, other body, 409.
		r, _ = student.order(courseID, "")
		want(t, r, http.StatusBadRequest, "idempotency_key_required")
		r, o := student.order(courseID, "buy-1")
		want(t, r, http.StatusCreated)
		if o.Status != "pending" || o.Amount != 4900 || o.Currency != "EUR" ||
			o.CheckoutURL != "http://lectern.test/api/v1/billing/dev/checkout/"+o.ID {
			t.Fatalf("order = %+v", o)
		}
		r, again := student.order(courseID, "buy-1")
		want(t, r, http.StatusOK)
		if again.ID != o.ID {
			t.Fatalf("replay gave order %s, want %s", again.ID, o.ID)
		}
		r, _ = student.order(courseID, "buy-1", "SOMECODE")
		want(t, r, http.StatusConflict, "idempotency_key_reused")
		r, _ = student.order(courseID, "buy-2")
		want(t, r, http.StatusConflict, "order_pending")
		want(t, student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil), http.StatusPaymentRequired)

		// The dev checkout page, in Chinese, with its CSRF token.
		path := "/api/v1/billing/dev/checkout/" + o.ID
		want(t, teacher.do("GET", path, nil), http.StatusNotFound) // not the teacher's order
		r = student.do("GET", path, nil, "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
		want(t, r, http.StatusOK)
		page := string(r.body)
		if !strings.Contains(page, "结账") || !strings.Contains(page, "49.00 EUR") {
			t.Fatalf("page:\n%s", page)
		}
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil || m[1] != student.csrf {
			t.Fatalf("no CSRF token in the page")
		}
		// Posting without the token fails; with it, pays.
		noToken := e.client()
		noToken.http.Jar = student.http.Jar
		want(t, noToken.do("POST", path, url.Values{"action": {"pay"}}), http.StatusForbidden, "csrf")
		r = noToken.do("POST", path, url.Values{"action": {"pay"}, "csrf_token": {m[1]}}, "Accept-Language", "en")
		want(t, r, http.StatusOK)
		if !strings.Contains(string(r.body), "Payment succeeded") {
			t.Fatalf("result page:\n%s", r.body)
		}
		rc := student.receipt(o.ID)
		if rc.Status != "paid" || countKind(rc, "payment") != 1 || countKind(rc, "created") != 1 {
			t.Fatalf("receipt = %+v", rc)
		}

		// Paid: the join works; buying again is refused.
		want(t, student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil), http.StatusOK)
		r, _ = student.order(courseID, "buy-3")
		want(t, r, http.StatusConflict, "already_owned")
		r = student.do("GET", "/api/v1/me/orders", nil)
		want(t, r, http.StatusOK)
		if !strings.Contains(string(r.body), o.ID) {
			t.Fatalf("my orders: %s", r.body)
		}

		// A partial refund keeps access; the full one revokes it.
		refund := func(amount int64) {
			t.Helper()
			r := student.do("POST", "/api/v1/orders/"+o.ID+"/refund-requests",
				map[string]any{"amount": amount, "reason": "changed my mind"})
			want(t, r, http.StatusCreated)
			var rf idJSON
			r.decode(t, &rf)
			want(t, student.do("POST", "/api/v1/refunds/"+rf.ID+"/approve", map[string]any{}), http.StatusForbidden)
			r = teacher.do("POST", "/api/v1/refunds/"+rf.ID+"/approve", map[string]any{"note": "ok"})
			want(t, r, http.StatusOK)
			if !strings.Contains(string(r.body), `"status":"succeeded"`) {
				t.Fatalf("approve: %s", r.body)
			}
		}
		refund(900)
		if rc := student.receipt(o.ID); rc.Status != "partially_refunded" || rc.Refunded != 900 {
			t.Fatalf("after partial refund: %+v", rc)
		}
		want(t, student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil), http.StatusOK)
		refund(0) // the rest
		if rc := student.receipt(o.ID); rc.Status != "refunded" || rc.Refunded != 4900 || countKind(rc, "refund") != 2 {
			t.Fatalf("after full refund: %+v", rc)
		}
		want(t, student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil), http.StatusPaymentRequired, "payment_required")

		// Revenue: 49.00 in, 49.00 out, as JSON and CSV.
		r = teacher.do("GET", "/api/v1/teachers/me/revenue", nil)
		want(t, r, http.StatusOK)
		if !strings.Contains(string(r.body), `"gross":4900,"refunds":4900,"net":0`) {
			t.Fatalf("revenue: %s", r.body)
		}
		r = teacher.do("GET", "/api/v1/courses/"+courseID+"/revenue.csv", nil)
		want(t, r, http.StatusOK)
		lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "month,course_id") ||
			!strings.HasSuffix(lines[1], ",EUR,1,4900,4900,0,49.00,49.00,0.00") {
			t.Fatalf("csv:\n%s", r.body)
		}
		want(t, student.do("GET", "/api/v1/courses/"+courseID+"/revenue", nil), http.StatusForbidden)
	})
}

// TestFreePreviewAndFail: a free-preview lesson needs no purchase, and a
// failed dev payment cancels the order so the student can try again.
func TestFreePreviewAndFail(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		teacher := e.register("t@example.org", classroom.RoleTeacher)
		student := e.register("s@example.org")
		courseID, lessonID := teacher.paidCourse("Previewed")
		want(t, student.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
		want(t, student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil), http.StatusPaymentRequired)
		want(t, student.do("PUT", "/api/v1/lessons/"+lessonID+"/free-preview", map[string]bool{"free_preview": true}),
			http.StatusForbidden)
		want(t, teacher.do("PUT", "/api/v1/lessons/"+lessonID+"/free-preview", map[string]bool{"free_preview": true}),
			http.StatusOK)
		want(t, student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil), http.StatusOK)

		_, o := student.order(courseID, "k1")
		page := string(student.do("GET", "/api/v1/billing/dev/checkout/"+o.ID, nil).body)
		if !strings.Contains(page, ">Pay<") {
			t.Fatalf("page:\n%s", page)
		}
		r := student.do("POST", "/api/v1/billing/dev/checkout/"+o.ID, url.Values{"action": {"fail"}, "csrf_token": {student.csrf}})
		want(t, r, http.StatusOK)
		if rc := student.receipt(o.ID); rc.Status != "cancelled" || countKind(rc, "cancelled") != 1 {
			t.Fatalf("after fail: %+v", rc)
		}
		r, o2 := student.order(courseID, "k2")
		want(t, r, http.StatusCreated)
		if o2.ID == o.ID {
			t.Fatal("a new key after a failed payment gave the old order")
		}
		// Cancel it.
		want(t, student.do("POST", "/api/v1/orders/"+o2.ID+"/cancel", nil), http.StatusOK)
		want(t, student.do("POST", "/api/v1/orders/"+o2.ID+"/cancel", nil), http.StatusConflict, "invalid_order_state")
	})
}
