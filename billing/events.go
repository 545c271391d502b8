package billing

import (
	"context"
	"errors"
	"fmt"
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
	// OutcomeRefundFailed: the provider refused a refund Lectern asked for;
	// the amount set aside for it is refundable again.
	OutcomeRefundFailed Outcome = "refund_failed"
	// OutcomePaidAgain: a second payment for an order already paid; it is
	// recorded (ExtraPayment) and refunded automatically.
	OutcomePaidAgain Outcome = "paid_again"
)

// applied is what applying one event did, for the work that follows its
// transaction.
type applied struct {
	out      Outcome
	orderID  string
	revoked  bool   // a full refund ended the buyer's access
	refundID string // an automatic refund, reserved, to ask the provider for
	extraID  string // an extra payment to refund
}

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
	var res applied
	err := s.tx(ctx, func(tx Tx) error {
		now := s.clock()
		fresh, err := tx.RecordEvent(ctx, ev.Provider, ev.ID, ev.RawType, now)
		if err != nil {
			return err
		}
		if !fresh {
			res = applied{out: OutcomeDuplicate}
			return nil
		}
		if res, err = s.apply(ctx, tx, ev, now); err != nil {
			return err
		}
		return tx.SetEventOutcome(ctx, ev.Provider, ev.ID, res.orderID, string(res.out))
	})
	if err != nil {
		return "", err
	}
	out, orderID := res.out, res.orderID
	if res.revoked {
		if o, err := s.store.Order(ctx, orderID); err == nil {
			s.accessChanged(o.AccountID, o.CourseID)
		}
	}
	if res.refundID != "" {
		s.autoRefund(ctx, orderID, res.refundID)
	}
	if res.extraID != "" {
		if err := s.refundExtra(ctx, res.extraID); err != nil && !errors.Is(err, ErrOutcomeUnknown) {
			s.log.Error("refunding a second payment", "order", orderID, "extra_payment", res.extraID, "err", err)
		}
	}
	log := s.log.With("provider", ev.Provider, "event", ev.ID, "type", ev.RawType, "order", ev.OrderID, "outcome", out)
	switch out {
	case OutcomeMismatch, OutcomeUnknownOrder:
		log.Warn("webhook event not applied", "paid", ev.Money.String())
	case OutcomePaid, OutcomeClosed, OutcomeRefunded:
		log.Info("webhook event applied")
	case OutcomeRefundFailed:
		log.Warn("the provider refused a refund", "refund", ev.RefundID, "provider_refund", ev.RefundRef)
	default:
		log.Debug("webhook event acknowledged")
	}
	return out, nil
}

func (s *Service) apply(ctx context.Context, tx Tx, ev Event, now time.Time) (applied, error) {
	if ev.Type == EventIgnored || ev.Type == "" {
		return applied{out: OutcomeIgnored}, nil
	}
	var o Order
	var err error
	if ev.OrderID == "" && ev.PaymentRef != "" {
		o, err = tx.OrderByPaymentRef(ctx, ev.Provider, ev.PaymentRef)
	} else {
		o, err = tx.Order(ctx, ev.OrderID)
	}
	if errors.Is(err, classroom.ErrNotFound) || err == nil && o.Provider != ev.Provider {
		return applied{out: OutcomeUnknownOrder}, nil
	}
	if err != nil {
		return applied{}, err
	}
	if o.CheckoutRef != "" && ev.CheckoutRef != "" && o.CheckoutRef != ev.CheckoutRef {
		// Another checkout than the one opened for this order.
		return applied{out: OutcomeUnknownOrder, orderID: o.ID}, nil
	}
	res := applied{orderID: o.ID}
	switch ev.Type {
	case EventPaid:
		if o.Status.Owns() || o.Status == StatusRefunded {
			if ev.PaymentRef != "" && o.PaymentRef != "" && ev.PaymentRef != o.PaymentRef {
				return s.paidAgain(ctx, tx, o, ev, now)
			}
			res.out = OutcomeStale
			return res, nil
		}
		if ev.Money != o.Money() {
			err := tx.AppendLedger(ctx, entry(o, LedgerRejected, ev.Money.Amount, now, ev.ID, "",
				"paid "+ev.Money.String()+", order is "+o.Money().String()))
			res.out = OutcomeMismatch
			return res, err
		}
		res.out = OutcomePaid
		if e, err := tx.Entitlement(ctx, o.AccountID, o.CourseID); err == nil && e.Active() && e.OrderID != o.ID {
			res.out = OutcomePaidTwice
		} else if err != nil && !errors.Is(err, classroom.ErrNotFound) {
			return applied{}, err
		}
		if _, err := s.pay(ctx, tx, o, ev, now); err != nil {
			return applied{}, err
		}
		if res.out == OutcomePaidTwice {
			// The course was owned already: the whole payment goes back.
			// The refund is reserved in this transaction, so it is made
			// even if the process stops before asking the provider
			// (RetryRefunds finishes it).
			r := Refund{ID: uuid.NewString(), OrderID: o.ID, AccountID: o.AccountID, CourseID: o.CourseID,
				TeacherID: o.TeacherID, Status: RefundProcessing, Currency: o.Currency,
				Note: "automatic: the course was already owned", RequestedBy: AutoActor, DecidedBy: AutoActor,
				CreatedAt: now, DecidedAt: now}
			if _, _, err := s.reserveTx(ctx, tx, r, ""); err != nil {
				return applied{}, err
			}
			res.refundID = r.ID
		}
		return res, nil
	case EventRefunded:
		return s.refundedAtProvider(ctx, tx, o, ev, now)
	case EventRefundSucceeded, EventRefundFailed:
		return s.refundNotified(ctx, tx, o, ev, now)
	case EventFailed, EventExpired:
		if o.Status != StatusPending {
			res.out = OutcomeStale
			return res, nil
		}
		st, note := StatusExpired, "checkout expired"
		if ev.Type == EventFailed {
			st, note = StatusCancelled, "payment failed"
		}
		res.out = OutcomeClosed
		return res, s.close(ctx, tx, o, st, now, ev.ID, "", note)
	}
	res.out = OutcomeIgnored
	return res, nil
}

// refundedAtProvider applies a refund made at the provider (Stripe's
// dashboard): ev.Money is the payment's total refunded there, so only
// what Lectern does not know yet (neither refunded nor being refunded) is
// recorded, as a succeeded refund with its ledger entry; a full refund
// revokes the course.
func (s *Service) refundedAtProvider(ctx context.Context, tx Tx, o Order, ev Event, now time.Time) (applied, error) {
	res := applied{orderID: o.ID}
	if ev.PaymentRef != "" && o.PaymentRef != "" && ev.PaymentRef != o.PaymentRef {
		res.out = OutcomeUnknownOrder
		return res, nil
	}
	if ev.Money.Currency != o.Currency {
		res.out = OutcomeMismatch
		return res, nil
	}
	delta := ev.Money.Amount - o.Refunded - o.RefundPending
	if !o.Status.Owns() || delta <= 0 {
		res.out = OutcomeStale
		return res, nil
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
		return applied{}, err
	}
	if err := tx.InsertRefund(ctx, r); err != nil {
		return applied{}, err
	}
	if err := tx.UpdateOrder(ctx, next); err != nil {
		return applied{}, err
	}
	if err := tx.AppendLedger(ctx, entry(next, LedgerRefund, delta, now, ev.ID, "", r.ID)); err != nil {
		return applied{}, err
	}
	if st == StatusRefunded {
		if err := tx.Revoke(ctx, next.AccountID, next.CourseID, next.ID, now); err != nil {
			return applied{}, err
		}
		res.revoked = true
	}
	res.out = OutcomeRefunded
	return res, nil
}

// refundNotified applies the provider's final word on a refund Lectern
// asked for and left processing (its answer was "processing", or never
// came): the refund succeeds or fails in this transaction, with its
// ledger entry, exactly as if the refund call had answered so. A refund
// already finished (by an earlier notification, a retry or
// reconciliation) is left alone: stale.
func (s *Service) refundNotified(ctx context.Context, tx Tx, o Order, ev Event, now time.Time) (applied, error) {
	res := applied{orderID: o.ID}
	var perr error // the provider's refusal, as the refund call would have answered it
	if ev.Type == EventRefundFailed {
		perr = fmt.Errorf("%w: %s refund %s is %s", ErrProvider, ev.Provider, ev.RefundRef, ev.RawType)
	}
	r, err := tx.Refund(ctx, ev.RefundID)
	if errors.Is(err, classroom.ErrNotFound) {
		if x, err := tx.ExtraPayment(ctx, ev.RefundID); err == nil && x.OrderID == o.ID {
			return s.extraRefundNotified(ctx, tx, x, ev, perr, now)
		} else if err != nil && !errors.Is(err, classroom.ErrNotFound) {
			return applied{}, err
		}
	}
	if errors.Is(err, classroom.ErrNotFound) || err == nil && r.OrderID != o.ID {
		// Not a refund Lectern made (one made in the merchant platform):
		// acknowledged, nothing changed.
		s.log.Warn("refund notification for a refund Lectern did not make", "provider", ev.Provider,
			"order", o.ID, "refund", ev.RefundID, "provider_refund", ev.RefundRef)
		res.out = OutcomeUnknownOrder
		return res, nil
	}
	if err != nil {
		return applied{}, err
	}
	if ev.Money != (Money{Amount: r.Amount, Currency: r.Currency}) {
		res.out = OutcomeMismatch
		return res, nil
	}
	if r.Status != RefundProcessing {
		if (r.Status == RefundSucceeded) != (ev.Type == EventRefundSucceeded) {
			s.log.Error("the provider's refund notification contradicts the refund's recorded outcome: check it by hand",
				"refund", r.ID, "status", r.Status, "notified", ev.RawType, "provider_refund", ev.RefundRef)
		}
		res.out = OutcomeStale
		return res, nil
	}
	res.out = notifiedOutcome(perr)
	_, res.revoked, _, err = s.finishRefund(ctx, tx, r.ID, ev.RefundRef, perr, now)
	return res, err
}

// notifiedOutcome is the outcome of a refund notification that finished
// a refund: refunded, or refund_failed when the provider refused (perr).
func notifiedOutcome(perr error) Outcome {
	if perr != nil {
		return OutcomeRefundFailed
	}
	return OutcomeRefunded
}

// extraRefundNotified applies the provider's final word on the refund of
// extra payment x (its ID is the refund's number; perr the provider's
// refusal), as refundExtra would have recorded the answer.
func (s *Service) extraRefundNotified(ctx context.Context, tx Tx, x ExtraPayment, ev Event, perr error, now time.Time) (applied, error) {
	res := applied{orderID: x.OrderID, out: OutcomeStale}
	if ev.Money != x.Money {
		res.out = OutcomeMismatch
		return res, nil
	}
	changed, err := s.finishExtra(ctx, tx, x.ID, ev.RefundRef, perr, now)
	if changed {
		res.out = notifiedOutcome(perr)
	}
	return res, err
}

// autoRefund asks the provider for refund refundID, reserved when the
// event was applied. A refund the provider does not confirm at once is
// finished by RetryRefunds (or its notification).
func (s *Service) autoRefund(ctx context.Context, orderID, refundID string) {
	o, err := s.store.Order(ctx, orderID)
	var r Refund
	if err == nil {
		r, err = s.store.Refund(ctx, refundID)
	}
	if err == nil {
		_, err = s.complete(ctx, o, r)
	}
	if err != nil {
		s.log.Error("automatic refund of a payment for a course already owned", "order", orderID, "refund", refundID, "err", err)
		return
	}
	s.log.Warn("payment for a course already owned refunded", "order", orderID, "refund", refundID)
}
