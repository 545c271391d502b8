package billing

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ReconcileWindow is how far back reconciliation looks: orders created
// within it that are still pending, or expired (a payment may have
// raced the expiry), are asked about.
const ReconcileWindow = 48 * time.Hour

// ReconcileReport says what one reconciliation did.
type ReconcileReport struct {
	Checked int // orders asked about
	Paid    int // orders found paid (a notification was lost or late)
	Closed  int // orders the provider closed
	Errors  int // providers that did not answer (asked again next time)
	Refunds int // refunds in progress asked about again
}

// Reconcile asks each provider that can be asked (Querier) about its
// orders left pending (or expired) for at least minAge, and applies what
// it says exactly as a notification would be applied: an order whose
// notification never came is paid and its course granted. Then refunds
// still in progress are asked about again. Run it every few minutes; a
// provider that does not answer is asked again next time.
func (s *Service) Reconcile(ctx context.Context, minAge time.Duration) (ReconcileReport, error) {
	var rep ReconcileReport
	now := s.clock()
	for _, p := range s.providers {
		q, ok := p.(Querier)
		if !ok {
			continue
		}
		cur := OrderCursor{}
		for {
			list, err := s.store.OrdersToReconcile(ctx, p.Name(), now.Add(-ReconcileWindow), now.Add(-minAge), cur, 200)
			if err != nil {
				return rep, err
			}
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			// Ask the provider about a page of orders at once (its round
			// trips dominate), then apply the answers one by one.
			evs, errs := queryAll(ctx, q, list)
			for i, o := range list {
				rep.Checked++
				ev, err := evs[i], errs[i]
				if err != nil {
					rep.Errors++
					s.log.Warn("reconciliation: provider did not answer", "provider", p.Name(), "order", o.ID, "err", err)
					continue
				}
				if ev.Type != EventPaid && ev.Type != EventExpired {
					continue
				}
				ev.Provider = p.Name()
				out, err := s.ApplyEvent(ctx, ev)
				if err != nil {
					return rep, err
				}
				switch out {
				case OutcomePaid, OutcomePaidTwice:
					rep.Paid++
					s.log.Warn("reconciliation: order paid without a notification", "provider", p.Name(), "order", o.ID)
				case OutcomeClosed:
					rep.Closed++
				}
			}
			if len(list) < 200 {
				break
			}
			last := list[len(list)-1]
			cur = OrderCursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
	}
	n, err := s.RetryRefunds(ctx)
	rep.Refunds = n
	if err != nil && !errors.Is(err, ErrProvider) {
		return rep, err
	}
	return rep, nil
}

// reconcileQueries bounds the provider queries in flight at once.
const reconcileQueries = 8

// queryAll asks q about every order, reconcileQueries at a time.
func queryAll(ctx context.Context, q Querier, list []Order) ([]Event, []error) {
	evs, errs := make([]Event, len(list)), make([]error, len(list))
	sem := make(chan struct{}, reconcileQueries)
	var wg sync.WaitGroup
	for i, o := range list {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			evs[i], errs[i] = q.QueryPayment(ctx, o)
		}()
	}
	wg.Wait()
	return evs, errs
}

// OrderCursor pages through orders by creation time, then ID.
type OrderCursor struct {
	CreatedAt time.Time
	ID        string
}
