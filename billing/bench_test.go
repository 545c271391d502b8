package billing_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/devpay"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// benchShop is a priced course and n students, made in the store directly.
func benchShop(b *testing.B, st *store.Store, n int) (classroom.Course, []classroom.Account) {
	b.Helper()
	ctx := context.Background()
	mk := func(email string, roles ...classroom.Role) classroom.Account {
		a, err := classroom.NewAccount(email, "Bench", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$a2V5", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		a.Roles = append(a.Roles, roles...)
		if err := st.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
		return a
	}
	teacher := mk("teacher@bench.test", classroom.RoleTeacher)
	title := "Bench course"
	c, _ := classroom.NewCourse(teacher, classroom.CourseChange{Title: &title}, time.Now())
	if err := st.CreateCourse(ctx, c); err != nil {
		b.Fatal(err)
	}
	storetest.Publish(b, st, c.ID)
	if err := st.BillingTx(ctx, func(tx billing.Tx) error {
		return tx.PutPrice(ctx, billing.Price{CourseID: c.ID, Money: billing.Money{Amount: 4900, Currency: "EUR"},
			RefundWindow: billing.DefaultRefundWindow, RefundLessonsPercent: 30, UpdatedAt: time.Now()})
	}); err != nil {
		b.Fatal(err)
	}
	students := make([]classroom.Account, n)
	for i := range students {
		students[i] = mk(fmt.Sprintf("s%d@bench.test", i))
	}
	return c, students
}

// BenchmarkPurchase measures orders per second through create → pay (dev
// provider event) → entitlement check, one after another, per backend.
func BenchmarkPurchase(b *testing.B) {
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			st := be.Open(b)
			e := newEnv(b, st)
			course, students := benchShop(b, st, b.N)
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				o, _, err := e.svc.CreateOrder(ctx, students[i], billing.OrderRequest{CourseID: course.ID,
					IdempotencyKey: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				ev := devpay.NewDevEvent(o, "payment.succeeded", time.Now())
				if out, err := e.svc.ApplyEvent(ctx, devEvent(ev)); err != nil || out != billing.OutcomePaid {
					b.Fatal(out, err)
				}
				if err := e.svc.MayAccess(ctx, students[i], course, ""); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "orders/s")
		})
	}
}

// devEvent turns a DevEvent into the Event the dev provider's webhook
// decodes, through the signed webhook parser.
func devEvent(de devpay.DevEvent) billing.Event {
	body := mustJSON(de)
	ev, err := devParser.ParseWebhook(http.Header{devpay.DevSignatureHeader: {devpay.SignDevEvent(body, "x", time.Now())}}, body)
	if err != nil {
		panic(err)
	}
	return ev
}

var devParser = devpay.New(devpay.Config{WebhookSecret: "x"})

// BenchmarkStripeWebhook measures one checkout.session.completed webhook
// over HTTP on loopback (signature check, decode, the paying transaction),
// each paying a different pending order; it reports p50 and p99.
func BenchmarkStripeWebhook(b *testing.B) {
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			st := be.Open(b)
			e := newEnv(b, st, withStripe)
			course, students := benchShop(b, st, b.N)
			ctx := context.Background()
			payloads, sigs := make([][]byte, b.N), make([]string, b.N)
			for i := range b.N {
				o, _, err := e.svc.CreateOrder(ctx, students[i], billing.OrderRequest{CourseID: course.ID, IdempotencyKey: "k"})
				if err != nil {
					b.Fatal(err)
				}
				payloads[i] = stripeEvent(fmt.Sprint("evt_", i), "checkout.session.completed",
					session{OrderID: o.ID, Amount: o.Amount, Currency: o.Currency})
				sigs[i] = sign(payloads[i], whsec, time.Now())
			}
			lat := make([]time.Duration, b.N)
			b.ResetTimer()
			for i := range b.N {
				t := time.Now()
				if code, out := e.deliver("stripe", payloads[i], "Stripe-Signature", sigs[i]); code != 200 || out != "paid" {
					b.Fatal(code, out)
				}
				lat[i] = time.Since(t)
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
