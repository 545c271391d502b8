package billing

import (
	"context"
	"errors"
	"time"

	"github.com/lectern/lectern/classroom"
)

// Outcome says what applying an event did.
type Outcome string

// The outcomes. Every one of them is acknowledged to the provider: none
// would change on a retry.
const (
	OutcomePaid         Outcome = "paid"          // the order is paid and the course granted
	OutcomeClosed       Outcome = "closed"        // the pending order expired or was cancelled
	OutcomeDuplicate    Outcome = "duplicate"     // the event was applied before
	OutcomeIgnored      Outcome = "ignored"       // not an event billing acts on
	OutcomeUnknownOrder Outcome = "unknown_order" // no such order (of this provider)
	OutcomeMismatch     Outcome = "mismatch"      // amount or currency differ from the order's: nothing granted
	OutcomeStale        Outcome = "stale"         // the order has moved past what the event says
)

// ApplyEvent applies a verified provider event, exactly once: the event's
// ID is recorded in the same transaction as the order's transition, its
// ledger entry and the entitlement, so a redelivery (or two concurrent
// deliveries) finds it recorded and changes nothing, and a delivery whose
// transaction did not commit (the process died) is applied in full when
// the provider retries. Events may arrive in any order:
//
//   - paid: a pending order becomes paid if the amount and currency
//     match; an expired or cancelled one too (the money was taken); a paid
//     one stays as it is.
//   - failed: a pending order is cancelled; expired: a pending order
//     expires. Either is stale once the order is paid.
func (s *Service) ApplyEvent(ctx context.Context, ev Event) (Outcome, error) {
	var out Outcome
	var orderID string
	err := s.tx(ctx, func(tx Tx) error {
		now := s.clock()
		fresh, err := tx.RecordEvent(ctx, ev.Provider, ev.ID, ev.RawType, now)
		if err != nil {
			return err
		}
		if !fresh {
			out = OutcomeDuplicate
			return nil
		}
		out, orderID, err = s.apply(ctx, tx, ev, now)
		if err != nil {
			return err
		}
		return tx.SetEventOutcome(ctx, ev.Provider, ev.ID, orderID, string(out))
	})
	if err != nil {
		return "", err
	}
	log := s.log.With("provider", ev.Provider, "event", ev.ID, "type", ev.RawType, "order", ev.OrderID, "outcome", out)
	switch out {
	case OutcomeMismatch, OutcomeUnknownOrder:
		log.Warn("webhook event not applied", "paid", ev.Money.String())
	case OutcomePaid, OutcomeClosed:
		log.Info("webhook event applied")
	default:
		log.Debug("webhook event acknowledged")
	}
	return out, nil
}

func (s *Service) apply(ctx context.Context, tx Tx, ev Event, now time.Time) (Outcome, string, error) {
	if ev.Type == EventIgnored || ev.Type == "" {
		return OutcomeIgnored, "", nil
	}
	o, err := tx.Order(ctx, ev.OrderID)
	if errors.Is(err, classroom.ErrNotFound) || err == nil && o.Provider != ev.Provider {
		return OutcomeUnknownOrder, "", nil
	}
	if err != nil {
		return "", "", err
	}
	if o.CheckoutRef != "" && ev.CheckoutRef != "" && o.CheckoutRef != ev.CheckoutRef {
		// Another checkout than the one opened for this order.
		return OutcomeUnknownOrder, o.ID, nil
	}
	switch ev.Type {
	case EventPaid:
		if o.Status.Owns() || o.Status == StatusRefunded {
			if ev.PaymentRef != "" && o.PaymentRef != "" && ev.PaymentRef != o.PaymentRef {
				s.log.Error("second payment for an order already paid: refund it by hand",
					"order", o.ID, "payment", ev.PaymentRef, "first_payment", o.PaymentRef)
			}
			return OutcomeStale, o.ID, nil
		}
		if ev.Money != o.Money() {
			err := tx.AppendLedger(ctx, entry(o, LedgerRejected, ev.Money.Amount, now, ev.ID, "",
				"paid "+ev.Money.String()+", order is "+o.Money().String()))
			return OutcomeMismatch, o.ID, err
		}
		_, err := s.pay(ctx, tx, o, ev, now)
		return OutcomePaid, o.ID, err
	case EventFailed, EventExpired:
		if o.Status != StatusPending {
			return OutcomeStale, o.ID, nil
		}
		st, note := StatusExpired, "checkout expired"
		if ev.Type == EventFailed {
			st, note = StatusCancelled, "payment failed"
		}
		return OutcomeClosed, o.ID, s.close(ctx, tx, o, st, now, ev.ID, "", note)
	}
	return OutcomeIgnored, o.ID, nil
}
