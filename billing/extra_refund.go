package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lectern/lectern/classroom"
)

// AutoActor is who requests and decides the refunds billing makes by
// itself (a Refund's RequestedBy). Their buyer is told with a
// NoticeAutoRefund written in the refund's transaction.
const AutoActor = "billing"

// The reasons an automatic refund gives the buyer (NoticeAutoRefund).
const (
	reasonPaidTwice    = "paid_twice_same_order"
	reasonCourseOwned  = "course_already_owned"
	maxExtraRetryBatch = 200
)

// paidAgain records, inside tx, a second payment (ev) for order o, which
// is paid already under another payment: once per provider payment
// whatever the event that reports it, entered in the ledger as a payment,
// to be refunded by refundExtra once the transaction commits.
func (s *Service) paidAgain(ctx context.Context, tx Tx, o Order, ev Event, now time.Time) (applied, error) {
	res := applied{orderID: o.ID}
	if ev.Money.Currency != o.Currency || ev.Money.Amount <= 0 {
		s.log.Error("second payment in another currency for an order already paid: return it by hand",
			"order", o.ID, "payment", ev.PaymentRef, "paid", ev.Money.String())
		res.out = OutcomeMismatch
		return res, tx.AppendLedger(ctx, entry(o, LedgerRejected, ev.Money.Amount, now, ev.ID, "",
			"second payment "+ev.PaymentRef+" of "+ev.Money.String()+", order is "+o.Money().String()))
	}
	x := ExtraPayment{ID: uuid.NewString(), OrderID: o.ID, Provider: ev.Provider, PaymentRef: ev.PaymentRef,
		EventID: ev.ID, Money: ev.Money, Status: ExtraRefunding, CreatedAt: now}
	fresh, err := tx.InsertExtraPayment(ctx, x)
	if err != nil {
		return applied{}, err
	}
	if !fresh {
		// Reported before by another event (a query, a resent
		// notification): recorded and refunded once.
		res.out = OutcomeStale
		return res, nil
	}
	if err := tx.AppendLedger(ctx, entry(o, LedgerPayment, ev.Money.Amount, now, ev.ID, "",
		"second payment "+ev.PaymentRef+" of a paid order; returned automatically")); err != nil {
		return applied{}, err
	}
	s.log.Warn("second payment for an order already paid; refunding it", "order", o.ID,
		"payment", ev.PaymentRef, "first_payment", o.PaymentRef, "extra_payment", x.ID)
	res.out, res.extraID = OutcomePaidAgain, x.ID
	return res, nil
}

// refundExtra returns extra payment id through its provider, under its
// ID as the refund's idempotency number, and records the outcome: the
// refund in the ledger (balancing the payment) and a notice to the buyer,
// in one transaction; or, refused, the extra payment failed for a person
// to return by hand. An unknown outcome (ErrOutcomeUnknown) leaves it
// refunding, asked again by RetryRefunds.
func (s *Service) refundExtra(ctx context.Context, id string) error {
	x, err := s.store.ExtraPayment(ctx, id)
	if err != nil || x.Status != ExtraRefunding {
		return err
	}
	o, err := s.store.Order(ctx, x.OrderID)
	if err != nil {
		return err
	}
	p, ok := s.byName[x.Provider]
	if !ok {
		return fmt.Errorf("%w: extra payment %s was paid through %q, which is not enabled", ErrProvider, x.ID, x.Provider)
	}
	// The provider refunds the second payment, not the order's first.
	paid := o
	paid.PaymentRef, paid.Amount, paid.Currency = x.PaymentRef, x.Money.Amount, x.Money.Currency
	ref, perr := p.Refund(ctx, paid, x.ID, x.Money.Amount)
	if errors.Is(perr, ErrOutcomeUnknown) {
		s.log.Warn("second payment's refund outcome not known yet; will ask again", "extra_payment", x.ID, "err", perr)
		return perr
	}
	changed := false
	err = s.tx(ctx, func(tx Tx) error {
		var err error
		changed, err = s.finishExtra(ctx, tx, id, ref, perr, s.clock())
		return err
	})
	if err != nil {
		return err
	}
	if !changed {
		// Finished meanwhile (its refund notification, a concurrent retry).
		return nil
	}
	if perr != nil {
		s.log.Error("the provider refused to return a second payment: return it by hand", "order", o.ID,
			"extra_payment", x.ID, "payment", x.PaymentRef, "err", perr)
		return perr
	}
	s.log.Info("second payment returned", "order", o.ID, "extra_payment", x.ID, "amount", x.Money.String())
	return nil
}

// finishExtra records, inside tx, the provider's final answer on the
// refund of extra payment id: returned (perr nil, ref its reference),
// with the refund in the ledger and the buyer's notice, or refused
// (failed, for a person to return by hand). One no longer refunding is
// left alone: changed is false.
func (s *Service) finishExtra(ctx context.Context, tx Tx, id, ref string, perr error, now time.Time) (changed bool, err error) {
	x, err := tx.ExtraPayment(ctx, id)
	if err != nil || x.Status != ExtraRefunding {
		return false, err
	}
	done := x
	done.CompletedAt = now
	if perr != nil {
		done.Status = ExtraFailed
		done.Note = truncateNote(done.Note + " [provider: " + perr.Error() + "]")
		return true, tx.UpdateExtraPayment(ctx, done, ExtraRefunding)
	}
	o, err := tx.Order(ctx, x.OrderID)
	if err != nil {
		return false, err
	}
	done.Status, done.RefundRef = ExtraRefunded, ref
	if err := tx.UpdateExtraPayment(ctx, done, ExtraRefunding); err != nil {
		return false, err
	}
	if err := tx.AppendLedger(ctx, entry(o, LedgerRefund, x.Money.Amount, now, ref, AutoActor,
		"second payment "+x.PaymentRef+" returned")); err != nil {
		return false, err
	}
	return true, tx.InsertNotice(ctx, autoRefundNotice(o, x.Money, reasonPaidTwice, now))
}

// retryExtra refunds extra payments left refunding (the provider's
// answer was lost, or the process stopped before asking it).
func (s *Service) retryExtra(ctx context.Context) (int, error) {
	list, err := s.store.ExtraPayments(ctx, "", ExtraRefunding, maxExtraRetryBatch)
	if err != nil {
		return 0, err
	}
	for _, x := range list {
		if err := s.refundExtra(ctx, x.ID); err != nil && !errors.Is(err, ErrProvider) && !errors.Is(err, ErrOutcomeUnknown) {
			return 0, err
		}
	}
	return len(list), nil
}

// autoRefundNotice tells o's buyer that m was returned automatically.
func autoRefundNotice(o Order, m Money, reason string, now time.Time) classroom.Notice {
	return classroom.NewNotice(o.AccountID, NoticeAutoRefund, map[string]string{"title": o.CourseTitle,
		"amount": m.String(), "order": o.ID, "reason": reason}, now)
}
