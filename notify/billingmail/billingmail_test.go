package billingmail_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/notify/billingmail"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

type fixture struct {
	t       *testing.T
	st      *store.Store
	now     time.Time
	teacher classroom.Account
	course  classroom.Course
}

func (f *fixture) account(email, lang string) classroom.Account {
	f.t.Helper()
	a, err := classroom.NewAccount(email, "Buyer "+email, "x", f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	a.Language = lang
	if err := f.st.CreateAccount(context.Background(), a); err != nil {
		f.t.Fatal(err)
	}
	return a
}

// order stores an order of buyer, paid at paidAt (zero: pending).
func (f *fixture) order(buyer classroom.Account, paidAt time.Time, discount int64, coupon string) billing.Order {
	f.t.Helper()
	o := billing.Order{ID: uuid.NewString(), AccountID: buyer.ID, CourseID: f.course.ID, TeacherID: f.teacher.ID,
		Status: billing.StatusPending, ListAmount: 4900, Discount: discount, Amount: 4900 - discount, Currency: "EUR",
		CouponCode: coupon, IdempotencyKey: uuid.NewString(), RequestHash: "h", Provider: "dev", Version: 1,
		CreatedAt: f.now.Add(-10 * 24 * time.Hour), UpdatedAt: f.now, ExpiresAt: f.now.Add(time.Hour)}
	if !paidAt.IsZero() {
		o.Status, o.PaidAt = billing.StatusPaid, paidAt
	}
	if err := f.st.BillingTx(context.Background(), func(tx billing.Tx) error { return tx.InsertOrder(context.Background(), o) }); err != nil {
		f.t.Fatal(err)
	}
	return o
}

// refund stores a refund of o that reached st at at, requested by its
// buyer, or by billing itself when auto.
func (f *fixture) refund(o billing.Order, st billing.RefundStatus, at time.Time, note string, auto bool) billing.Refund {
	f.t.Helper()
	r := billing.Refund{ID: uuid.NewString(), OrderID: o.ID, AccountID: o.AccountID, CourseID: o.CourseID, TeacherID: o.TeacherID,
		Status: st, Amount: o.Amount, Currency: o.Currency, Note: note, RequestedBy: o.AccountID, CreatedAt: at.Add(-time.Hour)}
	if auto {
		r.RequestedBy, r.DecidedBy = billing.AutoActor, billing.AutoActor
	}
	if st == billing.RefundDeclined {
		r.DecidedAt = at
	} else {
		r.DecidedAt, r.CompletedAt = at, at
	}
	if err := f.st.BillingTx(context.Background(), func(tx billing.Tx) error { return tx.InsertRefund(context.Background(), r) }); err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) mail(to string) []string {
	f.t.Helper()
	list, err := f.st.MailTo(context.Background(), to, 50)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, m := range list {
		out = append(out, m.Subject+"\n"+m.Body)
	}
	return out
}

// TestReceiptsAndRefundMail: a receipt per paid order and a mail per
// decided refund, in the buyer's language, once however often and by how
// many sweepers it is swept; pending orders, open refunds and anything
// older than the window are not mailed.
func TestReceiptsAndRefundMail(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		f := &fixture{t: t, st: st, now: now}
		var err error
		if f.teacher, err = classroom.NewAccount("t@example.org", "Teacher", "x", now); err != nil {
			t.Fatal(err)
		}
		f.teacher.Roles = classroom.Roles{classroom.RoleTeacher}
		if err := st.CreateAccount(ctx, f.teacher); err != nil {
			t.Fatal(err)
		}
		title := "Tea ceremony"
		if f.course, err = classroom.NewCourse(f.teacher, classroom.CourseChange{Title: &title}, now); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateCourse(ctx, f.course); err != nil {
			t.Fatal(err)
		}
		en := f.account("en@example.org", "en")
		zh := f.account("zh@example.org", "zh-CN")
		old := f.account("old@example.org", "en")
		pending := f.account("pending@example.org", "en")

		a := f.order(en, now.Add(-time.Hour), 900, "TEA9")
		b := f.order(zh, now.Add(-time.Minute), 0, "")
		f.order(old, now.Add(-8*24*time.Hour), 0, "")
		f.order(pending, time.Time{}, 0, "")
		f.refund(a, billing.RefundDeclined, now.Add(-30*time.Minute), "Most lessons were watched", false)
		f.refund(b, billing.RefundSucceeded, now.Add(-10*time.Second), "", false)
		// Paid for a course already owned: billing refunded it by itself
		// and wrote its own notice (payment.auto_refunded) then.
		auto := f.account("auto@example.org", "en")
		f.refund(f.order(auto, now.Add(-2*time.Minute), 0, ""), billing.RefundSucceeded, now.Add(-time.Minute), "", true)

		sw := billingmail.New(st, billingmail.WithBaseURL("https://school.test"), billingmail.WithClock(func() time.Time { return now }))
		n, err := sw.Sweep(ctx)
		if err != nil || n != 6 {
			t.Fatalf("first sweep queued %d, %v; want 6", n, err)
		}
		if n, err := sw.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("second sweep queued %d, %v", n, err)
		}
		got := f.mail(en.Email)
		joined := strings.Join(got, "\n---\n")
		if len(got) != 2 || !strings.Contains(joined, "Receipt: Tea ceremony") || !strings.Contains(joined, "Amount paid: 40.00 EUR") ||
			!strings.Contains(joined, "Coupon TEA9: -9.00 EUR") || !strings.Contains(joined, "https://school.test/purchases/"+a.ID) ||
			!strings.Contains(joined, "Refund declined: Tea ceremony") || !strings.Contains(joined, "Most lessons were watched") {
			t.Fatalf("English buyer's mail:\n%s", joined)
		}
		got = f.mail(zh.Email)
		joined = strings.Join(got, "\n---\n")
		if len(got) != 2 || !strings.Contains(joined, "购买凭证：Tea ceremony") || !strings.Contains(joined, "实付金额：49.00 EUR") ||
			!strings.Contains(joined, "退款已完成") {
			t.Fatalf("Chinese buyer's mail:\n%s", joined)
		}
		if got := f.mail(auto.Email); len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "Refund completed: Tea ceremony") {
			t.Fatalf("automatic refund's buyer's mail: %q", got)
		}
		// The receipt's notice only: the refund's is billing's, not a second one.
		if ns, err := st.Notices(ctx, auto.ID, classroom.Page{}); err != nil || len(ns) != 1 || ns[0].Kind != billingmail.NoticeReceipt {
			t.Fatalf("automatic refund's buyer's notices %+v, %v", ns, err)
		}
		if m := f.mail(old.Email); len(m) != 0 {
			t.Fatalf("an order paid before the window was mailed: %v", m)
		}
		if m := f.mail(pending.Email); len(m) != 0 {
			t.Fatalf("a pending order was mailed: %v", m)
		}
		notices, err := st.Notices(ctx, en.ID, classroom.Page{})
		if err != nil || len(notices) != 2 {
			t.Fatalf("notices %+v, %v", notices, err)
		}

		// Two sweepers at once (two servers): each mail queued once.
		c := f.order(f.account("race@example.org", "en"), now, 0, "")
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := billingmail.New(st, billingmail.WithClock(func() time.Time { return now })).Sweep(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if m := f.mail("race@example.org"); total != 1 || len(m) != 1 || !strings.Contains(m[0], c.ID) {
			t.Fatalf("two sweepers queued %d, mails %v", total, m)
		}
	})
}
