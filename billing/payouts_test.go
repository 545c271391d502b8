package billing_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/devpay"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store/storetest"
)

// TestPayoutsHTTP: a teacher reads their monthly statement (JSON and
// CSV) after a sale; only admins set commissions and mark statements
// paid; other teachers see nothing.
func TestPayoutsHTTP(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), withClock)
	teacher := e.register("pay-t@example.org", classroom.RoleTeacher)
	other := e.register("pay-o@example.org", classroom.RoleTeacher)
	admin := e.register("pay-a@example.org", classroom.RoleAdmin)
	student := e.register("pay-s@example.org")
	course := teacher.cnyCourse("Statistik", 10000)
	_, o := student.order(course, "k")
	ev := devpay.NewDevEvent(billing.Order{ID: o.ID, Amount: 10000, Currency: "CNY"}, "payment.succeeded", time.Now())
	if code, out := e.deliverDev(ev); code != 200 || out != "paid" {
		t.Fatalf("dev webhook: %d %q", code, out)
	}
	month := billing.Month(time.Now())
	want(t, teacher.do("PUT", "/api/v1/teachers/"+teacher.id+"/commission", map[string]any{"bps": 0}), http.StatusForbidden)
	want(t, admin.do("PUT", "/api/v1/teachers/"+teacher.id+"/commission", map[string]any{"bps": 10001}), http.StatusUnprocessableEntity)
	want(t, admin.do("PUT", "/api/v1/teachers/"+teacher.id+"/commission", map[string]any{"bps": 1500}), http.StatusOK)

	r := teacher.do("GET", "/api/v1/teachers/me/statements", nil)
	want(t, r, http.StatusOK)
	var got struct {
		CommissionBps int `json:"commission_bps"`
		Statements    []struct {
			Month, Currency, Status         string
			Orders                          int
			Gross, Refunds, Commission, Net int64
		} `json:"statements"`
	}
	r.decode(t, &got)
	if got.CommissionBps != 1500 || len(got.Statements) != 1 {
		t.Fatalf("statements %s", r.body)
	}
	if st := got.Statements[0]; st.Month != month || st.Currency != "CNY" || st.Orders != 1 || st.Gross != 10000 ||
		st.Commission != 1500 || st.Net != 8500 || st.Status != "open" {
		t.Fatalf("statement %+v", st)
	}
	r = teacher.do("GET", "/api/v1/teachers/"+teacher.id+"/statements.csv", nil)
	want(t, r, http.StatusOK)
	if lines := strings.Split(strings.TrimSpace(string(r.body)), "\n"); len(lines) != 2 ||
		!strings.HasPrefix(lines[1], month+",CNY,1,10000,0,1500,1500,8500,100.00,0.00,15.00,85.00,open") {
		t.Fatalf("csv:\n%s", r.body)
	}
	want(t, other.do("GET", "/api/v1/teachers/"+teacher.id+"/statements", nil), http.StatusForbidden)
	paidPath := "/api/v1/teachers/" + teacher.id + "/statements/" + month + "/CNY/paid"
	want(t, admin.do("POST", paidPath, map[string]any{"reference": "x"}), http.StatusUnprocessableEntity) // month not over
	e.advance(32 * 24 * time.Hour)
	want(t, teacher.do("POST", paidPath, map[string]any{"reference": "x"}), http.StatusForbidden)
	want(t, admin.do("POST", paidPath, map[string]any{"reference": "bank 7"}), http.StatusOK)
	want(t, admin.do("POST", paidPath, map[string]any{"reference": "bank 7"}), http.StatusConflict, "statement_paid")
	r = teacher.do("GET", "/api/v1/teachers/me/statements", nil)
	r.decode(t, &got)
	if got.Statements[0].Status != "paid" {
		t.Fatalf("after paying: %s", r.body)
	}
}
