package billing_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/devpay"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestConcurrentOrders: one student double-clicks 30 times with one key
// (one order), then with 10 different keys (still one pending order).
func TestConcurrentOrders(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		teacher := e.register("t@example.org", classroom.RoleTeacher)
		student := e.register("s@example.org")
		courseID, _ := teacher.paidCourse("Busy")
		var (
			mu     sync.Mutex
			ids    = map[string]int{}
			status = map[int]int{}
			wg     sync.WaitGroup
		)
		for range 30 {
			wg.Go(func() {
				r, o := student.order(courseID, "same-key")
				mu.Lock()
				defer mu.Unlock()
				status[r.status]++
				ids[o.ID]++
			})
		}
		wg.Wait()
		if status[201] != 1 || status[200] != 29 || len(ids) != 1 {
			t.Fatalf("statuses %v, orders %v", status, ids)
		}
		clear(status)
		for i := range 10 {
			wg.Go(func() {
				r, _ := student.order(courseID, fmt.Sprint("other-", i))
				mu.Lock()
				defer mu.Unlock()
				status[r.status]++
			})
		}
		wg.Wait()
		if status[409] != 10 {
			t.Fatalf("different keys while one is pending: %v", status)
		}
		list, err := st.ListOrders(context.Background(), billing.OrderQuery{AccountID: student.id})
		if err != nil || len(list) != 1 {
			t.Fatalf("%d orders stored, %v", len(list), err)
		}
	})
}

// TestConcurrentCoupon: 24 students check out at once with a coupon good
// for 5: exactly 5 orders get it. Cancelling one gives its redemption back.
func TestConcurrentCoupon(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		teacher := e.register("t@example.org", classroom.RoleTeacher)
		courseID, _ := teacher.paidCourse("Discounted")
		r := teacher.do("POST", "/api/v1/coupons", map[string]any{"code": "launch", "course_id": courseID,
			"percent_off": 25, "expires_at": time.Now().Add(time.Hour), "max_redemptions": 5})
		want(t, r, http.StatusCreated)
		students := make([]*client, 24)
		for i := range students {
			students[i] = e.register(fmt.Sprintf("s%d@example.org", i))
		}
		var (
			mu     sync.Mutex
			codes  = map[string]int{}
			orders []orderJSON
			wg     sync.WaitGroup
		)
		for _, s := range students {
			wg.Go(func() {
				r, o := s.order(courseID, "k", "LAUNCH")
				mu.Lock()
				defer mu.Unlock()
				codes[fmt.Sprint(r.status, r.code())]++
				if r.status == http.StatusCreated {
					orders = append(orders, o)
				}
			})
		}
		wg.Wait()
		if codes["201"] != 5 || codes["422coupon_invalid"] != 19 {
			t.Fatalf("outcomes %v", codes)
		}
		for _, o := range orders {
			if o.Amount != 3675 || o.Discount != 1225 {
				t.Fatalf("order %+v", o)
			}
		}
		c, err := st.CouponByCode(context.Background(), teacher.id, "LAUNCH")
		if err != nil || c.Redeemed != 5 {
			t.Fatalf("redeemed %d, %v", c.Redeemed, err)
		}
		var canceller *client
		for _, s := range students {
			if rc := s.do("GET", "/api/v1/orders/"+orders[0].ID, nil); rc.status == 200 {
				canceller = s
			}
		}
		want(t, canceller.do("POST", "/api/v1/orders/"+orders[0].ID+"/cancel", nil), http.StatusOK)
		if c, _ := st.CouponByCode(context.Background(), teacher.id, "LAUNCH"); c.Redeemed != 4 {
			t.Fatalf("after cancel: redeemed %d", c.Redeemed)
		}
	})
}

// TestRefundPolicy: past the window only an admin refunds; a declined
// request can be asked again.
func TestRefundPolicy(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		teacher := e.register("t@example.org", classroom.RoleTeacher)
		student := e.register("s@example.org")
		admin := e.register("a@example.org", classroom.RoleAdmin)
		courseID, _ := teacher.paidCourse("Strict")
		want(t, teacher.do("PUT", "/api/v1/courses/"+courseID+"/price", map[string]any{
			"amount": 1000, "currency": "CNY", "refund_window_days": 0}), http.StatusOK)
		_, o := student.order(courseID, "k")
		ev := devpay.NewDevEvent(billing.Order{ID: o.ID, Amount: 1000, Currency: "CNY"}, "payment.succeeded", time.Now())
		if code, out := e.deliverDev(ev); code != 200 || out != "paid" {
			t.Fatalf("dev webhook: %d %q", code, out)
		}
		time.Sleep(5 * time.Millisecond) // past a zero-day window
		want(t, student.do("POST", "/api/v1/orders/"+o.ID+"/refund-requests", map[string]any{}), http.StatusConflict, "refund_not_allowed")
		want(t, teacher.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{}), http.StatusForbidden)
		want(t, admin.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{"amount": 5000}), http.StatusUnprocessableEntity)
		want(t, admin.do("POST", "/api/v1/orders/"+o.ID+"/refunds", map[string]any{"amount": 400}), http.StatusCreated)
		if rc := student.receipt(o.ID); rc.Status != "partially_refunded" || rc.Refunded != 400 {
			t.Fatalf("receipt %+v", rc)
		}

		// Within a 7-day window: ask, decline, ask again.
		want(t, teacher.do("PUT", "/api/v1/courses/"+courseID+"/price", map[string]any{
			"amount": 1000, "currency": "CNY"}), http.StatusOK)
		r := student.do("POST", "/api/v1/orders/"+o.ID+"/refund-requests", map[string]any{"reason": "x"})
		want(t, r, http.StatusCreated)
		var rf idJSON
		r.decode(t, &rf)
		want(t, student.do("POST", "/api/v1/orders/"+o.ID+"/refund-requests", map[string]any{}), http.StatusConflict, "refund_open")
		r = teacher.do("GET", "/api/v1/refunds?status=requested", nil)
		want(t, r, http.StatusOK)
		want(t, teacher.do("POST", "/api/v1/refunds/"+rf.ID+"/decline", map[string]any{"note": "no"}), http.StatusOK)
		want(t, teacher.do("POST", "/api/v1/refunds/"+rf.ID+"/approve", map[string]any{}), http.StatusConflict)
		want(t, student.do("POST", "/api/v1/orders/"+o.ID+"/refund-requests", map[string]any{}), http.StatusCreated)
	})
}

// deliverDev posts a signed dev-provider webhook.
func (e *env) deliverDev(ev devpay.DevEvent) (int, string) {
	e.t.Helper()
	body := mustJSON(ev)
	return e.deliver("dev", body, devpay.DevSignatureHeader, devpay.SignDevEvent(body, devWebhook, time.Now()))
}
