package billing

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

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
	OutcomeRefunded     Outcome = "refunded"      // a refund made at the provider was applied
	// OutcomePaidTwice: the order is paid, but the buyer already owned
	// the course through another order; it is refunded automatically.
	OutcomePaidTwice Outcome = "paid_twice"
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
	if out == OutcomePaidTwice {
		s.refundDuplicate(ctx, orderID)
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
	var o Order
	var err error
	if ev.OrderID == "" && ev.PaymentRef != "" {
		o, err = tx.OrderByPaymentRef(ctx, ev.Provider, ev.PaymentRef)
	} else {
		o, err = tx.Order(ctx, ev.OrderID)
	}
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
		out := OutcomePaid
		if e, err := tx.Entitlement(ctx, o.AccountID, o.CourseID); err == nil && e.Active() && e.OrderID != o.ID {
			out = OutcomePaidTwice
		} else if err != nil && !errors.Is(err, classroom.ErrNotFound) {
			return "", "", err
		}
		_, err := s.pay(ctx, tx, o, ev, now)
		return out, o.ID, err
	case EventRefunded:
		return s.refundedAtProvider(ctx, tx, o, ev, now)
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

// refundedAtProvider applies a refund made at the provider (Stripe's
// dashboard): ev.Money is the payment's total refunded there, so only
// what Lectern does not know yet (neither refunded nor being refunded) is
// recorded, as a succeeded refund with its ledger entry; a full refund
// revokes the course.
func (s *Service) refundedAtProvider(ctx context.Context, tx Tx, o Order, ev Event, now time.Time) (Outcome, string, error) {
	if ev.PaymentRef != "" && o.PaymentRef != "" && ev.PaymentRef != o.PaymentRef {
		return OutcomeUnknownOrder, o.ID, nil
	}
	if ev.Money.Currency != o.Currency {
		return OutcomeMismatch, o.ID, nil
	}
	delta := ev.Money.Amount - o.Refunded - o.RefundPending
	if !o.Status.Owns() || delta <= 0 {
		return OutcomeStale, o.ID, nil
	}
	delta = min(delta, o.Refundable())
	r := Refund{ID: uuid.NewString(), OrderID: o.ID, AccountID: o.AccountID, CourseID: o.CourseID,
		TeacherID: o.TeacherID, Status: RefundSucceeded, Requested: delta, Amount: delta, Currency: o.Currency,
		Note: "refunded at " + ev.Provider, RequestedBy: ev.Provider, DecidedBy: ev.Provider, ProviderRef: ev.ID,
		CreatedAt: now, DecidedAt: now, CompletedAt: now}
	next := o
	next.Refunded += delta
	st := StatusPartiallyRefunded
	if next.Refunded == next.Amount {
		st = StatusRefunded
	}
	next, err := next.next(st, now)
	if err != nil {
		return "", "", err
	}
	if err := tx.InsertRefund(ctx, r); err != nil {
		return "", "", err
	}
	if err := tx.UpdateOrder(ctx, next); err != nil {
		return "", "", err
	}
	if err := tx.AppendLedger(ctx, entry(next, LedgerRefund, delta, now, ev.ID, "", r.ID)); err != nil {
		return "", "", err
	}
	if st == StatusRefunded {
		if err := tx.Revoke(ctx, next.AccountID, next.CourseID, next.ID, now); err != nil {
			return "", "", err
		}
	}
	return OutcomeRefunded, o.ID, nil
}

// refundDuplicate refunds in full an order paid while its buyer already
// owned the course through another order. A refund the provider does not
// confirm at once is finished by RetryRefunds.
func (s *Service) refundDuplicate(ctx context.Context, orderID string) {
	o, err := s.store.Order(ctx, orderID)
	if err != nil {
		s.log.Error("refunding a second payment: reading the order", "order", orderID, "err", err)
		return
	}
	now := s.clock()
	r := Refund{ID: uuid.NewString(), OrderID: o.ID, AccountID: o.AccountID, CourseID: o.CourseID,
		TeacherID: o.TeacherID, Status: RefundProcessing, Currency: o.Currency,
		Note: "automatic: the course was already owned", RequestedBy: "billing", DecidedBy: "billing",
		CreatedAt: now, DecidedAt: now}
	o, err = s.reserve(ctx, r, "")
	if err == nil {
		_, err = s.complete(ctx, o, r)
	}
	if err != nil {
		s.log.Error("refunding a second payment for a course already owned", "order", orderID, "err", err)
		return
	}
	s.log.Warn("second payment for a course already owned refunded", "order", orderID)
}
