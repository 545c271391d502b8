package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

// TestBillingConformance runs billing's store suite against every backend.
func TestBillingConformance(t *testing.T) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s *Store)
	}{
		{"Prices", testBillingPrices},
		{"Access", testBillingAccess},
		{"Coupons", testBillingCoupons},
		{"CouponConcurrent", testBillingCouponConcurrent},
		{"Orders", testBillingOrders},
		{"LedgerEvents", testBillingLedgerEvents},
		{"LedgerAppendOnly", testBillingLedgerAppendOnly},
		{"Statements", testBillingStatements},
		{"Entitlements", testBillingEntitlements},
		{"Refunds", testBillingRefunds},
		{"Revenue", testBillingRevenue},
		{"LessonProgress", testBillingLessonProgress},
		{"Rollback", testBillingRollback},
	}
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.fn(t, b.open(t)) })
			}
		})
	}
}

// billingFixture is a teacher, a student, a course and a lesson.
type billingFixture struct {
	teacher, student classroom.Account
	course           classroom.Course
	lesson           classroom.Lesson
}

func mkBilling(t *testing.T, s *Store) billingFixture {
	t.Helper()
	ctx := context.Background()
	f := billingFixture{
		teacher: mkAccount(t, s, "teacher-"+uuid.NewString()[:8]+"@example.org", classroom.RoleTeacher),
		student: mkAccount(t, s, "student-"+uuid.NewString()[:8]+"@example.org", classroom.RoleStudent),
	}
	title := "Paid course"
	c, err := classroom.NewCourse(f.teacher, classroom.CourseChange{Title: &title}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	f.course = c
	lt, start, dur := "Lesson 1", t0.Add(24*time.Hour), time.Hour
	l, err := classroom.NewLesson(c, classroom.LessonChange{Title: &lt, StartsAt: &start, Duration: &dur}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateLesson(ctx, l); err != nil {
		t.Fatal(err)
	}
	f.lesson = l
	return f
}

func btx(t *testing.T, s *Store, fn func(tx billing.Tx) error) {
	t.Helper()
	if err := s.BillingTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func mkOrder(f billingFixture, key string) billing.Order {
	return billing.Order{ID: uuid.NewString(), AccountID: f.student.ID, CourseID: f.course.ID,
		TeacherID: f.teacher.ID, Status: billing.StatusPending, ListAmount: 4900, Amount: 4900,
		Currency: "EUR", IdempotencyKey: key, RequestHash: "h", Provider: "dev", Version: 1,
		CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
}

func testBillingPrices(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	_, err := s.Price(ctx, f.course.ID)
	mustIs(t, err, classroom.ErrNotFound)
	p := billing.Price{CourseID: f.course.ID, Money: billing.Money{Amount: 4900, Currency: "EUR"},
		RefundWindow: 7 * 24 * time.Hour, RefundLessonsPercent: 30, UpdatedAt: t0}
	btx(t, s, func(tx billing.Tx) error { return tx.PutPrice(ctx, p) })
	p.Amount, p.Currency, p.RefundLessonsPercent = 9900, "CNY", 50
	btx(t, s, func(tx billing.Tx) error { return tx.PutPrice(ctx, p) })
	got, err := s.Price(ctx, f.course.ID)
	if err != nil || got.Money != p.Money || got.RefundWindow != p.RefundWindow || got.RefundLessonsPercent != 50 ||
		!got.UpdatedAt.Equal(t0) {
		t.Fatalf("Price = %+v, %v", got, err)
	}
	btx(t, s, func(tx billing.Tx) error { return tx.DeletePrice(ctx, f.course.ID) })
	_, err = s.Price(ctx, f.course.ID)
	mustIs(t, err, classroom.ErrNotFound)
	p.CourseID = uuid.NewString()
	mustIs(t, s.BillingTx(ctx, func(tx billing.Tx) error { return tx.PutPrice(ctx, p) }), classroom.ErrNotFound)
}

func testBillingAccess(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	check := func(want billing.Access) {
		t.Helper()
		got, err := s.AccessFacts(ctx, f.student.ID, f.course.ID, f.lesson.ID)
		if err != nil || got != want {
			t.Fatalf("AccessFacts = %+v, %v; want %+v", got, err, want)
		}
	}
	check(billing.Access{})
	btx(t, s, func(tx billing.Tx) error {
		return tx.PutPrice(ctx, billing.Price{CourseID: f.course.ID, Money: billing.Money{Amount: 1, Currency: "USD"}})
	})
	check(billing.Access{Priced: true})
	btx(t, s, func(tx billing.Tx) error { return tx.SetFreeLesson(ctx, f.course.ID, f.lesson.ID, true) })
	btx(t, s, func(tx billing.Tx) error { return tx.SetFreeLesson(ctx, f.course.ID, f.lesson.ID, true) })
	check(billing.Access{Priced: true, FreeLesson: true})
	if ids, err := s.FreeLessons(ctx, f.course.ID); err != nil || len(ids) != 1 || ids[0] != f.lesson.ID {
		t.Fatalf("FreeLessons = %v, %v", ids, err)
	}
	btx(t, s, func(tx billing.Tx) error { return tx.SetFreeLesson(ctx, f.course.ID, f.lesson.ID, false) })
	check(billing.Access{Priced: true})
}

func mkCoupon(f billingFixture, code string, max int) billing.Coupon {
	return billing.Coupon{ID: uuid.NewString(), TeacherID: f.teacher.ID, CourseID: f.course.ID, Code: code,
		PercentOff: 20, ExpiresAt: t0.Add(24 * time.Hour), MaxRedemptions: max, CreatedAt: t0}
}

func testBillingCoupons(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	c := mkCoupon(f, "SPRING", 2)
	btx(t, s, func(tx billing.Tx) error { return tx.CreateCoupon(ctx, c) })
	dup := mkCoupon(f, "SPRING", 1)
	mustIs(t, s.BillingTx(ctx, func(tx billing.Tx) error { return tx.CreateCoupon(ctx, dup) }), billing.ErrCouponCodeTaken)
	got, err := s.CouponByCode(ctx, f.teacher.ID, "SPRING")
	if err != nil || got.ID != c.ID || got.PercentOff != 20 || !got.ExpiresAt.Equal(c.ExpiresAt) {
		t.Fatalf("CouponByCode = %+v, %v", got, err)
	}
	_, err = s.CouponByCode(ctx, f.student.ID, "SPRING")
	mustIs(t, err, classroom.ErrNotFound)
	for range 2 {
		btx(t, s, func(tx billing.Tx) error { return tx.RedeemCoupon(ctx, c.ID) })
	}
	mustIs(t, s.BillingTx(ctx, func(tx billing.Tx) error { return tx.RedeemCoupon(ctx, c.ID) }), billing.ErrCouponExhausted)
	btx(t, s, func(tx billing.Tx) error { return tx.ReleaseCoupon(ctx, c.ID) })
	if got, _ := s.Coupon(ctx, c.ID); got.Redeemed != 1 {
		t.Fatalf("Redeemed = %d, want 1", got.Redeemed)
	}
	if list, err := s.ListCoupons(ctx, f.teacher.ID); err != nil || len(list) != 1 {
		t.Fatalf("ListCoupons = %v, %v", list, err)
	}
}

// testBillingCouponConcurrent redeems one coupon from many transactions
// at once: exactly MaxRedemptions succeed.
func testBillingCouponConcurrent(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	c := mkCoupon(f, "RUSH", 7)
	btx(t, s, func(tx billing.Tx) error { return tx.CreateCoupon(ctx, c) })
	var ok, exhausted atomic.Int64
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			for range 1000 {
				err := s.BillingTx(ctx, func(tx billing.Tx) error { return tx.RedeemCoupon(ctx, c.ID) })
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, billing.ErrCouponExhausted):
					exhausted.Add(1)
				case errors.Is(err, classroom.ErrConflict):
					continue
				default:
					t.Error(err)
				}
				return
			}
			t.Error("RedeemCoupon still conflicting after 1000 attempts")
		})
	}
	wg.Wait()
	if got, _ := s.Coupon(ctx, c.ID); ok.Load() != 7 || exhausted.Load() != 23 || got.Redeemed != 7 {
		t.Fatalf("ok %d exhausted %d redeemed %d", ok.Load(), exhausted.Load(), got.Redeemed)
	}
}

func testBillingOrders(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	o := mkOrder(f, "key-1")
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o) })
	got, err := s.OrderByKey(ctx, f.student.ID, "key-1")
	if err != nil || got.ID != o.ID || got.CourseTitle != "Paid course" || got.Status != billing.StatusPending ||
		got.Amount != 4900 || !got.ExpiresAt.Equal(o.ExpiresAt) || got.Version != 1 {
		t.Fatalf("OrderByKey = %+v, %v", got, err)
	}
	// Same key, or a second pending order for the course: conflict.
	o2 := mkOrder(f, "key-1")
	mustIs(t, s.BillingTx(ctx, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o2) }), classroom.ErrConflict)
	o3 := mkOrder(f, "key-2")
	mustIs(t, s.BillingTx(ctx, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o3) }), classroom.ErrConflict)
	if p, err := s.PendingOrder(ctx, f.student.ID, f.course.ID); err != nil || p.ID != o.ID {
		t.Fatalf("PendingOrder = %v, %v", p.ID, err)
	}
	if list, err := s.ExpiredOrders(ctx, t0.Add(2*time.Hour), 10); err != nil || len(list) != 1 {
		t.Fatalf("ExpiredOrders = %v, %v", list, err)
	}
	// Compare-and-set on the version.
	paid := got
	paid.Status, paid.Version, paid.PaidAt, paid.PaymentRef = billing.StatusPaid, 2, t0.Add(time.Minute), "pi_1"
	btx(t, s, func(tx billing.Tx) error { return tx.UpdateOrder(ctx, paid) })
	mustIs(t, s.BillingTx(ctx, func(tx billing.Tx) error { return tx.UpdateOrder(ctx, paid) }), classroom.ErrConflict)
	got, _ = s.Order(ctx, o.ID)
	if got.Status != billing.StatusPaid || got.PaymentRef != "pi_1" || !got.PaidAt.Equal(paid.PaidAt) {
		t.Fatalf("after update: %+v", got)
	}
	// Not pending any more: a new pending order is allowed.
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o3) })
	if list, err := s.ListOrders(ctx, billing.OrderQuery{AccountID: f.student.ID}); err != nil || len(list) != 2 {
		t.Fatalf("ListOrders = %v, %v", len(list), err)
	}
	// The database refuses refunds beyond the amount.
	over := got
	over.Version, over.Refunded = 3, 5000
	if err := s.BillingTx(ctx, func(tx billing.Tx) error { return tx.UpdateOrder(ctx, over) }); err == nil {
		t.Fatal("refunded > amount was stored")
	}
}

func testBillingLedgerEvents(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	o := mkOrder(f, "k")
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o) })
	for _, k := range []billing.LedgerKind{billing.LedgerCreated, billing.LedgerPayment} {
		btx(t, s, func(tx billing.Tx) error {
			return tx.AppendLedger(ctx, billing.LedgerEntry{OrderID: o.ID, Kind: k, Money: o.Money(),
				CourseID: o.CourseID, TeacherID: o.TeacherID, AccountID: o.AccountID, At: t0, Ref: "evt_1"})
		})
	}
	l, err := s.Ledger(ctx, o.ID)
	if err != nil || len(l) != 2 || l[0].Seq != 1 || l[1].Seq != 2 || l[1].Kind != billing.LedgerPayment ||
		l[1].Money != o.Money() || !l[1].At.Equal(t0) {
		t.Fatalf("Ledger = %+v, %v", l, err)
	}
	var fresh1, fresh2 bool
	btx(t, s, func(tx billing.Tx) error {
		var err error
		fresh1, err = tx.RecordEvent(ctx, "stripe", "evt_1", "checkout.session.completed", t0)
		return err
	})
	btx(t, s, func(tx billing.Tx) error {
		var err error
		fresh2, err = tx.RecordEvent(ctx, "stripe", "evt_1", "checkout.session.completed", t0)
		if err == nil {
			err = tx.SetEventOutcome(ctx, "stripe", "evt_1", o.ID, "paid")
		}
		return err
	})
	if !fresh1 || fresh2 {
		t.Fatalf("RecordEvent fresh = %v then %v", fresh1, fresh2)
	}
}

func testBillingEntitlements(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	o := mkOrder(f, "k")
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o) })
	_, err := s.Entitlement(ctx, f.student.ID, f.course.ID)
	mustIs(t, err, classroom.ErrNotFound)
	g := billing.Entitlement{AccountID: f.student.ID, CourseID: f.course.ID, OrderID: o.ID, GrantedAt: t0}
	btx(t, s, func(tx billing.Tx) error { return tx.Grant(ctx, g) })
	btx(t, s, func(tx billing.Tx) error { return tx.Grant(ctx, g) }) // idempotent
	if e, err := s.Entitlement(ctx, f.student.ID, f.course.ID); err != nil || !e.Active() || e.OrderID != o.ID {
		t.Fatalf("Entitlement = %+v, %v", e, err)
	}
	if ok, _ := s.Enrolled(ctx, f.course.ID, f.student.ID); !ok {
		t.Fatal("Grant did not enrol")
	}
	// Revoking for another order does nothing; for the right one, revokes.
	btx(t, s, func(tx billing.Tx) error { return tx.Revoke(ctx, f.student.ID, f.course.ID, uuid.NewString(), t0) })
	if e, _ := s.Entitlement(ctx, f.student.ID, f.course.ID); !e.Active() {
		t.Fatal("revoked by another order")
	}
	btx(t, s, func(tx billing.Tx) error { return tx.Revoke(ctx, f.student.ID, f.course.ID, o.ID, t0.Add(time.Hour)) })
	if e, _ := s.Entitlement(ctx, f.student.ID, f.course.ID); e.Active() || !e.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after revoke: %+v", e)
	}
	// A new order grants again.
	o2 := mkOrder(f, "k2")
	o2.Status = billing.StatusPaid
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o2) })
	g.OrderID = o2.ID
	btx(t, s, func(tx billing.Tx) error { return tx.Grant(ctx, g) })
	if e, _ := s.Entitlement(ctx, f.student.ID, f.course.ID); !e.Active() || e.OrderID != o2.ID {
		t.Fatalf("after re-grant: %+v", e)
	}
}

func testBillingRefunds(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	o := mkOrder(f, "k")
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o) })
	r := billing.Refund{ID: uuid.NewString(), OrderID: o.ID, AccountID: f.student.ID, CourseID: f.course.ID,
		TeacherID: f.teacher.ID, Status: billing.RefundRequested, Currency: "EUR", Reason: "too fast",
		RequestedBy: f.student.ID, CreatedAt: t0}
	btx(t, s, func(tx billing.Tx) error { return tx.InsertRefund(ctx, r) })
	second := r
	second.ID = uuid.NewString()
	mustIs(t, s.BillingTx(ctx, func(tx billing.Tx) error { return tx.InsertRefund(ctx, second) }), classroom.ErrConflict)
	d := r
	d.Status, d.DecidedBy, d.DecidedAt, d.Note = billing.RefundDeclined, f.teacher.ID, t0.Add(time.Hour), "no"
	btx(t, s, func(tx billing.Tx) error { return tx.UpdateRefund(ctx, d, billing.RefundRequested) })
	mustIs(t, s.BillingTx(ctx, func(tx billing.Tx) error { return tx.UpdateRefund(ctx, d, billing.RefundRequested) }),
		classroom.ErrConflict)
	btx(t, s, func(tx billing.Tx) error { return tx.InsertRefund(ctx, second) }) // the first is closed now
	got, err := s.Refund(ctx, r.ID)
	if err != nil || got.Status != billing.RefundDeclined || got.Note != "no" || got.Reason != "too fast" ||
		!got.DecidedAt.Equal(d.DecidedAt) {
		t.Fatalf("Refund = %+v, %v", got, err)
	}
	for _, q := range []billing.RefundQuery{{TeacherID: f.teacher.ID}, {AccountID: f.student.ID}, {OrderID: o.ID}} {
		if list, err := s.ListRefunds(ctx, q); err != nil || len(list) != 2 {
			t.Fatalf("ListRefunds(%+v) = %d, %v", q, len(list), err)
		}
	}
	if list, _ := s.ListRefunds(ctx, billing.RefundQuery{Status: billing.RefundRequested}); len(list) != 1 {
		t.Fatalf("requested refunds = %d", len(list))
	}
}

func testBillingRevenue(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	add := func(o billing.Order, kind billing.LedgerKind, amount int64, at time.Time) {
		btx(t, s, func(tx billing.Tx) error {
			return tx.AppendLedger(ctx, billing.LedgerEntry{OrderID: o.ID, Kind: kind,
				Money: billing.Money{Amount: amount, Currency: o.Currency}, CourseID: o.CourseID,
				TeacherID: o.TeacherID, AccountID: o.AccountID, At: at})
		})
	}
	o1, o2 := mkOrder(f, "a"), mkOrder(f, "b")
	o2.Status = billing.StatusPaid // two orders may not both be pending
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o2) })
	btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, o1) })
	may, jun := time.Date(2030, 5, 31, 23, 59, 0, 0, time.UTC), time.Date(2030, 6, 1, 0, 1, 0, 0, time.UTC)
	add(o1, billing.LedgerCreated, 4900, may)
	add(o1, billing.LedgerPayment, 4900, may)
	add(o2, billing.LedgerPayment, 4900, may)
	add(o1, billing.LedgerRefund, 1000, jun)
	rows, err := s.Revenue(ctx, billing.RevenueQuery{TeacherID: f.teacher.ID})
	if err != nil || len(rows) != 2 {
		t.Fatalf("Revenue = %+v, %v", rows, err)
	}
	if r := rows[0]; r.Month != "2030-05" || r.Payments != 2 || r.Gross != 9800 || r.Refunds != 0 || r.CourseTitle != "Paid course" {
		t.Errorf("May = %+v", r)
	}
	if r := rows[1]; r.Month != "2030-06" || r.Payments != 0 || r.Gross != 0 || r.Refunds != 1000 || r.Net() != -1000 {
		t.Errorf("June = %+v", r)
	}
	rows, _ = s.Revenue(ctx, billing.RevenueQuery{CourseID: f.course.ID, From: "2030-06", To: "2030-06"})
	if len(rows) != 1 || rows[0].Month != "2030-06" {
		t.Errorf("June only = %+v", rows)
	}
	if rows, _ = s.Revenue(ctx, billing.RevenueQuery{TeacherID: f.student.ID}); len(rows) != 0 {
		t.Errorf("another teacher's revenue = %+v", rows)
	}
}

func testBillingLessonProgress(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s) // one lesson, t0+24h for 1h
	for _, c := range []struct {
		at            time.Time
		total, passed int
	}{{t0, 1, 0}, {t0.Add(25 * time.Hour), 1, 1}} {
		total, passed, err := s.LessonProgress(ctx, f.course.ID, c.at)
		if err != nil || total != c.total || passed != c.passed {
			t.Errorf("LessonProgress(%v) = %d, %d, %v", c.at, total, passed, err)
		}
	}
}

// testBillingRollback: a transaction whose function fails leaves nothing.
func testBillingRollback(t *testing.T, s *Store) {
	ctx := context.Background()
	f := mkBilling(t, s)
	o := mkOrder(f, "k")
	boom := errors.New("boom")
	err := s.BillingTx(ctx, func(tx billing.Tx) error {
		if err := tx.InsertOrder(ctx, o); err != nil {
			return err
		}
		if _, err := tx.RecordEvent(ctx, "dev", "e1", "x", t0); err != nil {
			return err
		}
		return boom
	})
	mustIs(t, err, boom)
	_, err = s.Order(ctx, o.ID)
	mustIs(t, err, classroom.ErrNotFound)
	btx(t, s, func(tx billing.Tx) error {
		fresh, err := tx.RecordEvent(ctx, "dev", "e1", "x", t0)
		if !fresh {
			t.Error("rolled-back event is recorded")
		}
		return err
	})
}
