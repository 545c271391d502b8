package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/pgtest"
)

// TestKilledDuringPurchases: students buy a course from a server in a
// child process, which is SIGKILLed while orders are being created and
// paid. After a restart on the same store every payment the server
// acknowledged is there, paid, with exactly one payment in the ledger and
// the student entitled; and each student then retrying the same purchase
// (same idempotency key, paying again) applies nothing twice. Both
// backends.
func TestKilledDuringPurchases(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dir, dbURL := t.TempDir(), ""
			if backend == "postgres" {
				dbURL = pgtest.URL(t)
			}
			// Set up in process: a teacher's paid course, students signed up.
			s := newSite(t, dbURL, func(c *app.Config) { c.DataDir = dir })
			teacher := s.signUp("teacher@crash.test", classroom.RoleTeacher)
			courseID, lessonID := teacher.course(1999)
			students := make([]*browser, 9) // with the teacher, the sign-up limit per address (10 in 10 s)
			for i := range students {
				students[i] = s.signUp(fmt.Sprintf("s%d@crash.test", i))
				if r := students[i].do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil); r.status != http.StatusCreated {
					t.Fatalf("enrol: %d %s", r.status, r.body)
				}
			}
			s.srv.Close()
			_ = s.app.Close()

			// The same store served by a child process, killed mid-purchase.
			childURL, kill := childServer(t, dir, dbURL, crashPayEnv+"=1")
			s.srv = &httptest.Server{URL: childURL} // the browsers' cookies hold across ports
			var mu sync.Mutex
			paid := map[int]string{} // student → order acknowledged paid
			count := func() int { mu.Lock(); defer mu.Unlock(); return len(paid) }
			var wg sync.WaitGroup
			for i, b := range students {
				wg.Add(1)
				go func() {
					defer wg.Done()
					id, ok := tryBuy(b, courseID, fmt.Sprintf("crash-order-%d", i))
					if ok {
						mu.Lock()
						paid[i] = id
						mu.Unlock()
					}
				}()
			}
			for deadline := time.Now().Add(30 * time.Second); count() < 4 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			kill()
			wg.Wait()
			if count() < 4 {
				t.Fatalf("only %d purchases acknowledged before the kill", count())
			}

			// Restart in process on the same store.
			a, srv := startWith(t, dir, dbURL)
			defer func() { srv.Close(); _ = a.Close() }()
			s.app, s.srv = a, srv
			ctx := context.Background()
			for i, id := range paid {
				o, err := a.Store().Order(ctx, id)
				if err != nil || o.Status != billing.StatusPaid {
					t.Errorf("student %d: acknowledged order %s is %q after the restart (%v)", i, id, o.Status, err)
				}
			}
			// Everyone retries: the acknowledged ones get their order back and
			// pay nothing twice; the others finish their purchase once.
			for i, b := range students {
				id, ok := tryBuy(b, courseID, fmt.Sprintf("crash-order-%d", i))
				if !ok {
					t.Errorf("student %d: the retried purchase failed", i)
					continue
				}
				if want, was := paid[i]; was && id != want {
					t.Errorf("student %d: retry made order %s, the acknowledged one was %s", i, id, want)
				}
				entries, err := a.Store().Ledger(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				payments := 0
				for _, e := range entries {
					if e.Kind == billing.LedgerPayment {
						payments++
						if e.Money.Amount != 1999 {
							t.Errorf("student %d: payment of %d, want 1999", i, e.Money.Amount)
						}
					}
				}
				if payments != 1 {
					t.Errorf("student %d: order %s has %d payments in the ledger, want 1", i, id, payments)
				}
				if r := b.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil); r.status != http.StatusOK {
					t.Errorf("student %d: join after buying: %d %s", i, r.status, r.body)
				}
			}
			t.Logf("%s: %d purchases acknowledged before SIGKILL, all paid once after the restart", backend, len(paid))
		})
	}
}

// tryBuy creates (or gets back, by its idempotency key) an order for the
// course and pays it with the dev checkout; ok is false when the server
// failed or went away on the way.
func tryBuy(b *browser, courseID, key string) (orderID string, ok bool) {
	r, err := b.try("POST", "/api/v1/orders", map[string]string{"course_id": courseID}, "Idempotency-Key", key)
	if err != nil || (r.status != http.StatusCreated && r.status != http.StatusOK) {
		return "", false
	}
	var o struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if r.decodeErr(&o) != nil || o.ID == "" {
		return "", false
	}
	if o.Status == string(billing.StatusPaid) {
		return o.ID, true
	}
	r, err = b.try("POST", "/api/v1/billing/dev/checkout/"+o.ID, url.Values{"action": {"pay"}, "csrf_token": {b.csrf}})
	return o.ID, err == nil && r.status == http.StatusOK
}
