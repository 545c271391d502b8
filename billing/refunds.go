package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

// RequestRefund records the buyer's request for a refund of amount (0:
// everything left) of their order, if the course's refund policy still
// allows it. The teacher or an admin then decides.
func (s *Service) RequestRefund(ctx context.Context, actor classroom.Account, orderID string, amount int64, reason string) (Refund, error) {
	if err := checkRefundInput("reason", reason, amount, "everything left"); err != nil {
		return Refund{}, err
	}
	o, err := s.store.Order(ctx, orderID)
	if err != nil {
		return Refund{}, err
	}
	if o.AccountID != actor.ID {
		return Refund{}, classroom.ErrNotFound
	}
	price, _, err := s.CoursePrice(ctx, o.CourseID)
	if err != nil {
		return Refund{}, err
	}
	now := s.clock()
	total, passed, err := s.store.LessonProgress(ctx, o.CourseID, now)
	if err != nil {
		return Refund{}, err
	}
	if err := RefundAllowed(o, price, total, passed, now); err != nil {
		return Refund{}, err
	}
	if amount > o.Refundable() {
		return Refund{}, Invalid("amount", "is more than what is left to refund")
	}
	r := Refund{ID: uuid.NewString(), OrderID: o.ID, AccountID: o.AccountID, CourseID: o.CourseID,
		TeacherID: o.TeacherID, Status: RefundRequested, Requested: amount, Currency: o.Currency,
		Reason: reason, RequestedBy: actor.ID, CreatedAt: now}
	if err := s.store.BillingTx(ctx, func(tx Tx) error { return tx.InsertRefund(ctx, r) }); err != nil {
		if errors.Is(err, classroom.ErrConflict) {
			return Refund{}, ErrRefundOpen
		}
		return Refund{}, err
	}
	s.log.Info("refund requested", "refund", r.ID, "order", o.ID, "amount", amount)
	return r, nil
}

// DecideRefund approves (in full, or amount of it) or declines a
// requested refund; the course's teacher or an admin decides. An approved
// refund is paid back through the provider at once.
func (s *Service) DecideRefund(ctx context.Context, actor classroom.Account, refundID string, approve bool, amount int64, note string) (Refund, error) {
	if err := checkRefundInput("note", note, amount, "what was asked"); err != nil {
		return Refund{}, err
	}
	r, err := s.store.Refund(ctx, refundID)
	if err != nil {
		return r, err
	}
	if r.TeacherID != actor.ID && !isAdmin(actor) {
		if r.AccountID == actor.ID {
			return r, classroom.ErrForbidden
		}
		return r, classroom.ErrNotFound
	}
	if r.Status != RefundRequested {
		return r, ErrOrderState
	}
	now := s.clock()
	next := r
	next.DecidedBy, next.DecidedAt, next.Note = actor.ID, now, note
	if !approve {
		next.Status = RefundDeclined
		err := s.store.BillingTx(ctx, func(tx Tx) error {
			if err := tx.UpdateRefund(ctx, next, RefundRequested); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, classroom.NewAuditEntry(actor, origin(ctx), now, classroom.AuditRefundDecline, "refund", r.ID,
				auditRefund(r), auditRefund(next)))
		})
		if err != nil {
			return r, err
		}
		return next, nil
	}
	next.Status = RefundProcessing
	next.Amount = cmpOr(amount, r.Requested)
	o, err := s.reserve(ctx, next, RefundRequested, auditOf(ctx, actor, classroom.AuditRefundApprove, r))
	if err != nil {
		return r, err
	}
	return s.complete(ctx, o, next)
}

// AdminRefund refunds amount (0: everything left) of an order whatever
// the refund policy says; only admins may.
func (s *Service) AdminRefund(ctx context.Context, actor classroom.Account, orderID string, amount int64, note string) (Refund, error) {
	if !isAdmin(actor) {
		return Refund{}, classroom.ErrForbidden
	}
	if err := checkRefundInput("note", note, amount, "everything left"); err != nil {
		return Refund{}, err
	}
	o, err := s.store.Order(ctx, orderID)
	if err != nil {
		return Refund{}, err
	}
	now := s.clock()
	r := Refund{ID: uuid.NewString(), OrderID: o.ID, AccountID: o.AccountID, CourseID: o.CourseID,
		TeacherID: o.TeacherID, Status: RefundProcessing, Requested: amount, Amount: amount,
		Currency: o.Currency, Note: note, RequestedBy: actor.ID, DecidedBy: actor.ID, CreatedAt: now, DecidedAt: now}
	before := Refund{OrderID: o.ID, AccountID: o.AccountID, Currency: o.Currency}
	if o, err = s.reserve(ctx, r, "", auditOf(ctx, actor, classroom.AuditRefundAdmin, before)); err != nil {
		return Refund{}, err
	}
	return s.complete(ctx, o, r)
}

// checkRefundInput checks a refund's text (field) and amount, whose 0
// means zero (e.g. "everything left").
func checkRefundInput(field, text string, amount int64, zero string) error {
	if err := checkRefundText(field, text); err != nil {
		return err
	}
	if amount < 0 || amount > MaxAmount {
		return Invalid("amount", "must be a whole number of minor units, 0 for "+zero)
	}
	return nil
}

func cmpOr(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

// auditOf returns the audit entry of actor's refund decision, from the
// refund as it was to the refund as reserved.
func auditOf(ctx context.Context, actor classroom.Account, action classroom.AuditAction, before Refund) func(Refund, time.Time) classroom.AuditEntry {
	return func(after Refund, at time.Time) classroom.AuditEntry {
		return classroom.NewAuditEntry(actor, origin(ctx), at, action, "refund", after.ID, auditRefund(before), auditRefund(after))
	}
}

// reserve moves r to processing (inserting it when prev is "") and sets
// its amount aside on the order (0 meaning everything left), in one
// transaction with the decision's audit entry. It returns the order as
// reserved; r.Amount is filled in.
func (s *Service) reserve(ctx context.Context, r Refund, prev RefundStatus,
	audit func(Refund, time.Time) classroom.AuditEntry) (Order, error) {
	var o Order
	err := s.tx(ctx, func(tx Tx) error {
		var (
			rr  Refund
			err error
		)
		if o, rr, err = s.reserveTx(ctx, tx, r, prev); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit(rr, s.clock()))
	})
	return o, err
}

// reserveTx is reserve inside tx, without an audit entry; it returns the
// order and the refund as reserved.
func (s *Service) reserveTx(ctx context.Context, tx Tx, r Refund, prev RefundStatus) (Order, Refund, error) {
	cur, err := tx.Order(ctx, r.OrderID)
	if err != nil {
		return cur, r, err
	}
	if !cur.Status.Owns() {
		return cur, r, ErrOrderState
	}
	amt := r.Amount
	if amt == 0 {
		amt = cur.Refundable()
	}
	if amt <= 0 || amt > cur.Refundable() {
		return cur, r, Invalid("amount", fmt.Sprintf("must be between 1 and %d", cur.Refundable()))
	}
	rr := r
	rr.Amount = amt
	if prev == "" {
		if err := tx.InsertRefund(ctx, rr); err != nil {
			if errors.Is(err, classroom.ErrConflict) {
				return cur, rr, ErrRefundOpen
			}
			return cur, rr, err
		}
	} else if err := tx.UpdateRefund(ctx, rr, prev); err != nil {
		return cur, rr, err
	}
	next := cur.bump(s.clock())
	next.RefundPending += amt
	if err := tx.UpdateOrder(ctx, next); err != nil {
		return cur, rr, err
	}
	return next, rr, nil
}

// complete asks the provider to pay r back and records the result: on
// success the order's refunded total grows, the refund enters the ledger
// and a full refund revokes the course, all in one transaction. A refund
// left processing (the process died in between) is finished by
// RetryRefunds; the provider call is idempotent per refund.
func (s *Service) complete(ctx context.Context, o Order, r Refund) (Refund, error) {
	stored, err := s.store.Refund(ctx, r.ID)
	if err != nil {
		return r, err
	}
	r = stored
	p, ok := s.byName[o.Provider]
	if !ok {
		return r, fmt.Errorf("%w: order %s was paid through %q, which is not enabled", ErrProvider, o.ID, o.Provider)
	}
	ref, perr := p.Refund(ctx, o, r.ID, r.Amount)
	if errors.Is(perr, ErrOutcomeUnknown) {
		// Timed out, or accepted and still processing: the refund stays
		// open with its amount set aside, and RetryRefunds asks again
		// under the same refund number.
		s.log.Warn("refund outcome not known yet; will ask again", "refund", r.ID, "order", o.ID, "err", perr)
		return r, perr
	}
	revoked, changed := false, false
	err = s.tx(ctx, func(tx Tx) error {
		done, rev, ch, err := s.finishRefund(ctx, tx, r.ID, ref, perr, s.clock())
		if err == nil {
			r, revoked, changed = done, rev, ch
		}
		return err
	})
	if err != nil {
		return r, err
	}
	if !changed {
		// Finished meanwhile (a notification, a concurrent retry).
		return r, nil
	}
	if perr != nil {
		s.log.Warn("refund failed at the provider", "refund", r.ID, "order", o.ID, "err", perr)
		return r, perr
	}
	s.log.Info("refund paid", "refund", r.ID, "order", o.ID, "amount", Money{r.Amount, r.Currency}.String())
	if revoked {
		s.accessChanged(o.AccountID, o.CourseID)
	}
	return r, nil
}

// finishRefund records, inside tx, the provider's final answer on refund
// refundID: paid back (perr nil, ref the provider's reference) or refused
// (perr). The amount set aside on the order is released; a refund paid
// back grows the order's refunded total, enters the ledger and, when it
// completes a full refund, revokes the course (revoked). A refund no
// longer processing (finished meanwhile by a notification, a retry or
// reconciliation) is left as it is: changed is false.
func (s *Service) finishRefund(ctx context.Context, tx Tx, refundID, ref string, perr error, now time.Time) (done Refund, revoked, changed bool, err error) {
	r, err := tx.Refund(ctx, refundID)
	if err != nil || r.Status != RefundProcessing {
		return r, false, false, err
	}
	cur, err := tx.Order(ctx, r.OrderID)
	if err != nil {
		return r, false, false, err
	}
	next := cur
	next.RefundPending -= r.Amount
	done = r
	done.CompletedAt = now
	if perr != nil {
		done.Status = RefundFailed
		done.Note = truncateNote(done.Note + " [provider: " + perr.Error() + "]")
		next = next.bump(now)
	} else {
		done.Status, done.ProviderRef = RefundSucceeded, ref
		next.Refunded += r.Amount
		st := StatusPartiallyRefunded
		if next.Refunded == next.Amount {
			st = StatusRefunded
		}
		if next, err = next.next(st, now); err != nil {
			return r, false, false, err
		}
	}
	if err := tx.UpdateRefund(ctx, done, RefundProcessing); err != nil {
		return r, false, false, err
	}
	if err := tx.UpdateOrder(ctx, next); err != nil {
		return r, false, false, err
	}
	if perr != nil {
		return done, false, true, nil
	}
	if err := tx.AppendLedger(ctx, entry(next, LedgerRefund, r.Amount, now, ref, r.DecidedBy, r.ID)); err != nil {
		return r, false, false, err
	}
	if r.RequestedBy == AutoActor {
		if err := tx.InsertNotice(ctx, autoRefundNotice(next, Money{r.Amount, r.Currency}, reasonCourseOwned, now)); err != nil {
			return r, false, false, err
		}
	}
	if next.Status == StatusRefunded {
		if err := tx.Revoke(ctx, next.AccountID, next.CourseID, next.ID, now); err != nil {
			return r, false, false, err
		}
		revoked = true
	}
	return done, revoked, true, nil
}

func truncateNote(s string) string { return Truncate(s, MaxRefundText) }

// Truncate cuts s to at most n runes.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// RetryRefunds finishes refunds left processing (approved, but the
// process stopped before the provider's answer was recorded, or the
// provider was still processing), and second payments of an order still
// to be returned. Run it at start-up; Reconcile runs it too.
func (s *Service) RetryRefunds(ctx context.Context) (int, error) {
	list, err := s.store.ListRefunds(ctx, RefundQuery{Status: RefundProcessing, Page: classroom.Page{Limit: 200}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range list {
		o, err := s.store.Order(ctx, r.OrderID)
		if err != nil {
			return n, err
		}
		if _, err := s.complete(ctx, o, r); err != nil && !errors.Is(err, ErrProvider) && !errors.Is(err, ErrOutcomeUnknown) {
			return n, err
		}
		n++
	}
	m, err := s.retryExtra(ctx)
	return n + m, err
}

// Refunds lists refunds actor may see: an admin all, a teacher those of
// their courses, anyone else their own.
func (s *Service) Refunds(ctx context.Context, actor classroom.Account, q RefundQuery) ([]Refund, error) {
	q.TeacherID, q.AccountID = "", ""
	switch {
	case isAdmin(actor):
	case actor.Roles.Has(classroom.RoleTeacher):
		q.TeacherID = actor.ID
	default:
		q.AccountID = actor.ID
	}
	return s.store.ListRefunds(ctx, q)
}
