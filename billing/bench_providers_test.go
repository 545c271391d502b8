package billing_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/alipay"
	"github.com/lectern/lectern/billing/wechatpay"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

func cnyPrice(b *testing.B, st *store.Store, courseID string, amount int64) {
	ctx := context.Background()
	if err := st.BillingTx(ctx, func(tx billing.Tx) error {
		return tx.PutPrice(ctx, billing.Price{CourseID: courseID, Money: billing.Money{Amount: amount, Currency: "CNY"},
			RefundWindow: billing.DefaultRefundWindow, RefundLessonsPercent: 30, UpdatedAt: time.Now()})
	}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkNotifications measures notifications verified and applied per
// second per provider and backend, over HTTP on loopback (the provider's
// signature check — RSA-2048 for WeChat Pay and Alipay, plus AES-256-GCM
// decryption for WeChat Pay — the decode, and the paying transaction),
// each paying a different pending order, one after another.
func BenchmarkNotifications(b *testing.B) {
	for _, be := range storetest.Backends() {
		b.Run("wechatpay/"+be.Name, func(b *testing.B) { benchWeChatNotifications(b, be.Open(b)) })
		b.Run("alipay/"+be.Name, func(b *testing.B) { benchAlipayNotifications(b, be.Open(b)) })
	}
}

func benchWeChatNotifications(b *testing.B, st *store.Store) {
	f := newFakeWeChat(b)
	e := newEnv(b, st, withProvider(func(*env) billing.Provider {
		p, err := wechatpay.New(f.cfg)
		if err != nil {
			b.Fatal(err)
		}
		return p
	}))
	course, students := benchShop(b, st, b.N)
	cnyPrice(b, st, course.ID, 19900)
	notes := make([]wxNotification, b.N)
	for i := range b.N {
		o, _, err := e.svc.CreateOrder(context.Background(), students[i], billing.OrderRequest{CourseID: course.ID, IdempotencyKey: "k"})
		if err != nil {
			b.Fatal(err)
		}
		notes[i] = newWxNotification(fmt.Sprint("n", i), wxTransaction(billing.CompactID(o.ID), fmt.Sprint("42", i), "SUCCESS", 19900, "CNY"), f.platform, time.Now())
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if code, body := e.post("wechatpay", notes[i].body, notes[i].header); code != http.StatusNoContent {
			b.Fatal(code, body)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "notifications/s")
}

func benchAlipayNotifications(b *testing.B, st *store.Store) {
	f := newFakeAlipay(b)
	e := newEnv(b, st, withProvider(func(*env) billing.Provider {
		p, err := alipay.New(f.cfg)
		if err != nil {
			b.Fatal(err)
		}
		return p
	}))
	course, students := benchShop(b, st, b.N)
	cnyPrice(b, st, course.ID, 19900)
	forms := make([]string, b.N)
	for i := range b.N {
		o, _, err := e.svc.CreateOrder(context.Background(), students[i], billing.OrderRequest{CourseID: course.ID, IdempotencyKey: "k"})
		if err != nil {
			b.Fatal(err)
		}
		forms[i] = aliNotification(f.alipay, fmt.Sprint("a", i), fmt.Sprint("2024", i), billing.CompactID(o.ID), "199.00", time.Now()).Encode()
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if code, body := e.post("alipay", []byte(forms[i]), h); code != http.StatusOK || body != "success" {
			b.Fatal(code, body)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "notifications/s")
}

// paidQuerier is a provider whose every order turns out paid when asked:
// reconciliation's worst case, with no network in between.
type paidQuerier struct{ billing.Provider }

func (paidQuerier) Name() string { return "bench" }

func (paidQuerier) QueryPayment(_ context.Context, o billing.Order) (billing.Event, error) {
	return billing.Event{Provider: "bench", ID: "q:" + o.ID, Type: billing.EventPaid, OrderID: o.ID,
		PaymentRef: "pay_" + o.ID, Money: o.Money()}, nil
}

// countingStore counts the store calls reconciliation makes.
type countingStore struct {
	billing.Store
	lists, txs, reads atomic.Int64
}

func (c *countingStore) OrdersToReconcile(ctx context.Context, provider string, from, to time.Time, after billing.OrderCursor, limit int) ([]billing.Order, error) {
	c.lists.Add(1)
	return c.Store.OrdersToReconcile(ctx, provider, from, to, after, limit)
}

func (c *countingStore) BillingTx(ctx context.Context, fn func(tx billing.Tx) error) error {
	c.txs.Add(1)
	return c.Store.BillingTx(ctx, fn)
}

func (c *countingStore) ListRefunds(ctx context.Context, q billing.RefundQuery) ([]billing.Refund, error) {
	c.reads.Add(1)
	return c.Store.ListRefunds(ctx, q)
}

// BenchmarkReconcile10k: 10,000 orders left pending, every one found paid
// by the provider: the time one Reconcile takes and the store calls it
// makes (list pages, transactions), per backend. Run with -benchtime 1x.
func BenchmarkReconcile10k(b *testing.B) {
	const n = 10_000
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				st := be.Open(b)
				seedPending(b, st, n)
				cs := &countingStore{Store: st}
				svc, err := billing.New(billing.Config{Store: cs, Providers: []billing.Provider{paidQuerier{}}})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				rep, err := svc.Reconcile(context.Background(), time.Minute)
				el := time.Since(start)
				if err != nil || rep.Checked != n || rep.Paid != n {
					b.Fatalf("Reconcile = %+v, %v", rep, err)
				}
				b.ReportMetric(el.Seconds(), "s/10k")
				b.ReportMetric(float64(cs.lists.Load()), "list-queries")
				b.ReportMetric(float64(cs.txs.Load()), "transactions")
				b.ReportMetric(float64(n)/el.Seconds(), "orders/s")
			}
		})
	}
}

// seedPending inserts n pending orders of provider "bench", created ten
// minutes ago, for 100 students × n/100 courses.
func seedPending(b *testing.B, st *store.Store, n int) {
	ctx := context.Background()
	course, students := benchShop(b, st, 100)
	courses := []classroom.Course{course}
	for len(courses) < n/100 {
		title := fmt.Sprint("Bench ", len(courses))
		c, _ := classroom.NewCourse(classroom.Account{ID: course.TeacherID, Roles: classroom.Roles{classroom.RoleTeacher}},
			classroom.CourseChange{Title: &title}, time.Now())
		if err := st.CreateCourse(ctx, c); err != nil {
			b.Fatal(err)
		}
		storetest.Publish(b, st, c.ID)
		courses = append(courses, c)
	}
	at := time.Now().Add(-10 * time.Minute).UTC().Truncate(time.Millisecond)
	for ci := 0; ci < len(courses); ci += 5 {
		if err := st.BillingTx(ctx, func(tx billing.Tx) error {
			for _, c := range courses[ci:min(ci+5, len(courses))] {
				for _, s := range students {
					o := billing.Order{ID: uuid.NewString(), AccountID: s.ID, CourseID: c.ID, TeacherID: c.TeacherID,
						Status: billing.StatusPending, ListAmount: 4900, Amount: 4900, Currency: "EUR",
						IdempotencyKey: c.ID, RequestHash: "h", Provider: "bench", Version: 1,
						CreatedAt: at, UpdatedAt: at, ExpiresAt: at.Add(time.Hour)}
					if err := tx.InsertOrder(ctx, o); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}
