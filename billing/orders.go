package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

// OrderRequest is a student's request to buy a course.
type OrderRequest struct {
	CourseID       string
	CouponCode     string // "" for none
	IdempotencyKey string
	// Provider names an enabled provider; "" for the only one enabled.
	Provider string
	// Method is one of the provider's checkout methods; "" for its
	// default.
	Method string
	// Client is the buyer's device, for providers that need it.
	Client CheckoutClient
}

// choose resolves req's provider and method among the enabled ones. A
// nil provider means none is enabled: only an order that costs nothing
// can then be made.
func (s *Service) choose(req OrderRequest) (Provider, string, error) {
	if req.Provider == "" {
		switch len(s.providers) {
		case 0:
			return nil, "", nil
		case 1:
			req.Provider = s.providers[0].Name()
		default:
			return nil, "", Invalid("provider", "choose a payment provider")
		}
	}
	p, ok := s.byName[req.Provider]
	if !ok {
		return nil, "", Invalid("provider", "is not an enabled payment provider")
	}
	m := req.Method
	if m == "" {
		m = p.Methods()[0]
	}
	if !HasMethod(p, m) {
		return nil, "", Invalid("method", "is not a checkout method of "+p.Name())
	}
	return p, m, nil
}

// CreateOrder creates actor's order for a course, or returns the order
// an earlier request with the same Idempotency-Key created (created is
// then false). The same key with another body is ErrIdempotencyReused.
// A student who owns the course gets ErrAlreadyOwned; one with an order
// still waiting for payment gets ErrOrderPending. The coupon's redemption
// is counted in the order's transaction. An order that costs nothing
// after its coupon is paid at once. Otherwise the provider's checkout is
// opened; if that fails the order stays pending and repeating the request
// opens it.
func (s *Service) CreateOrder(ctx context.Context, actor classroom.Account, req OrderRequest) (o Order, created bool, err error) {
	if err := CheckIdempotencyKey(req.IdempotencyKey); err != nil {
		return o, false, err
	}
	if len(s.providers) == 0 {
		return o, false, ErrPaymentsDisabled
	}
	if uuid.Validate(req.CourseID) != nil {
		return o, false, Invalid("course_id", "is not a course")
	}
	code := ""
	if req.CouponCode != "" {
		if code, err = NormalizeCode(req.CouponCode); err != nil {
			return o, false, Invalid("coupon", "is not a coupon code")
		}
	}
	prov, method, err := s.choose(req)
	if err != nil {
		return o, false, err
	}
	provName := ""
	if prov != nil {
		provName = prov.Name()
	}
	hash := RequestHash(req.CourseID, code, provName, method)
	if prev, err := s.store.OrderByKey(ctx, actor.ID, req.IdempotencyKey); err == nil {
		return s.replay(ctx, prev, hash, req.Client)
	} else if !errors.Is(err, classroom.ErrNotFound) {
		return o, false, err
	}
	course, err := s.store.Course(ctx, req.CourseID)
	if errors.Is(err, classroom.ErrNotFound) {
		return o, false, Invalid("course_id", "is not a course")
	}
	if err != nil {
		return o, false, err
	}
	if err := classroom.CheckEnrol(actor, course); err != nil {
		return o, false, err
	}

	var prev *Order
	err = s.tx(ctx, func(tx Tx) error {
		prev = nil
		now := s.clock()
		if p, err := tx.OrderByKey(ctx, actor.ID, req.IdempotencyKey); err == nil {
			prev = &p
			return nil
		} else if !errors.Is(err, classroom.ErrNotFound) {
			return err
		}
		if e, err := tx.Entitlement(ctx, actor.ID, course.ID); err == nil && e.Active() {
			return ErrAlreadyOwned
		} else if err != nil && !errors.Is(err, classroom.ErrNotFound) {
			return err
		}
		price, err := tx.Price(ctx, course.ID)
		if errors.Is(err, classroom.ErrNotFound) || err == nil && price.Free() {
			return ErrCourseFree
		}
		if err != nil {
			return err
		}
		if prov != nil && !Supports(prov, price.Currency) {
			return Invalid("provider", prov.Name()+" does not take payments in "+price.Currency)
		}
		if p, err := tx.PendingOrder(ctx, actor.ID, course.ID); err == nil {
			if p.IdempotencyKey == req.IdempotencyKey {
				// A concurrent request with this key committed between our
				// key lookup and this one (READ COMMITTED): replay it.
				prev = &p
				return nil
			}
			if now.Before(p.ExpiresAt) {
				return fmt.Errorf("%w (order %s)", ErrOrderPending, p.ID)
			}
			if err := s.close(ctx, tx, p, StatusExpired, now, "", "", "expired before a new order"); err != nil {
				return err
			}
		} else if !errors.Is(err, classroom.ErrNotFound) {
			return err
		}
		o = Order{ID: uuid.NewString(), AccountID: actor.ID, CourseID: course.ID, CourseTitle: course.Title,
			TeacherID: course.TeacherID, Status: StatusPending, ListAmount: price.Amount,
			Currency: price.Currency, IdempotencyKey: req.IdempotencyKey, RequestHash: hash,
			Provider: provName, Method: method, Version: 1, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(s.ttl)}
		if code != "" {
			c, err := tx.CouponByCode(ctx, course.TeacherID, code)
			if errors.Is(err, classroom.ErrNotFound) {
				return ErrCouponInvalid
			}
			if err != nil {
				return err
			}
			if o.Discount, err = c.Discount(price.Money, course.ID, course.TeacherID, now); err != nil {
				return err
			}
			if err := tx.RedeemCoupon(ctx, c.ID); err != nil {
				return err
			}
			o.CouponID, o.CouponCode = c.ID, c.Code
		}
		o.Amount = o.ListAmount - o.Discount
		if o.Amount == 0 {
			o.Provider, o.Method = "none", ""
		} else if prov == nil {
			return ErrPaymentsDisabled
		}
		if err := tx.InsertOrder(ctx, o); err != nil {
			return err
		}
		if err := tx.AppendLedger(ctx, entry(o, LedgerCreated, o.Amount, now, "", actor.ID, code)); err != nil {
			return err
		}
		if o.Amount == 0 {
			o, err = s.pay(ctx, tx, o, Event{Provider: "none", Money: o.Money()}, now)
			return err
		}
		return nil
	})
	if err != nil {
		return Order{}, false, err
	}
	if prev != nil {
		return s.replay(ctx, *prev, hash, req.Client)
	}
	s.log.Info("order created", "order", o.ID, "course", o.CourseID, "account", actor.ID,
		"amount", o.Money().String(), "coupon", o.CouponCode)
	if o.Status == StatusPending {
		if o, err = s.startCheckout(ctx, o, course, req.Client); err != nil {
			return o, true, err
		}
	}
	return o, true, nil
}

// replay answers a repeated create: the same order if the body matches.
func (s *Service) replay(ctx context.Context, o Order, hash string, client CheckoutClient) (Order, bool, error) {
	if o.RequestHash != hash {
		return Order{}, false, ErrIdempotencyReused
	}
	if o.Status == StatusPending && o.CheckoutURL == "" && s.clock().Before(o.ExpiresAt) {
		course, err := s.store.Course(ctx, o.CourseID)
		if err != nil {
			return o, false, err
		}
		o, err = s.startCheckout(ctx, o, course, client)
		return o, false, err
	}
	return o, false, nil
}

// startCheckout opens the provider's checkout for o and stores its
// reference and URL. The provider is called outside any transaction.
func (s *Service) startCheckout(ctx context.Context, o Order, course classroom.Course, client CheckoutClient) (Order, error) {
	p, ok := s.byName[o.Provider]
	if !ok {
		return o, fmt.Errorf("%w: order %s belongs to provider %q, which is not enabled", ErrProvider, o.ID, o.Provider)
	}
	co, err := p.StartCheckout(ctx, o, course, client)
	if err != nil {
		s.log.Warn("checkout failed; the order stays pending", "order", o.ID, "err", err)
		return o, err
	}
	err = s.tx(ctx, func(tx Tx) error {
		cur, err := tx.Order(ctx, o.ID)
		if err != nil {
			return err
		}
		if cur.CheckoutURL != "" {
			o = cur
			return nil
		}
		next := cur.bump(s.clock())
		next.CheckoutRef, next.CheckoutURL = co.Ref, co.URL
		if err := tx.UpdateOrder(ctx, next); err != nil {
			return err
		}
		o = next
		return nil
	})
	return o, err
}

// pay moves o to paid for event ev, appends the payment to the ledger and
// grants the course, inside tx.
func (s *Service) pay(ctx context.Context, tx Tx, o Order, ev Event, now time.Time) (Order, error) {
	late := o.Status != StatusPending
	next, err := o.next(StatusPaid, now)
	if err != nil {
		return o, err
	}
	next.PaidAt = now
	if ev.PaymentRef != "" {
		next.PaymentRef = ev.PaymentRef
	}
	if ev.CheckoutRef != "" {
		next.CheckoutRef = ev.CheckoutRef
	}
	if err := tx.UpdateOrder(ctx, next); err != nil {
		return o, err
	}
	note := ""
	if late {
		note = "paid after the order was " + string(o.Status)
		if o.CouponID != "" {
			if err := tx.RedeemCoupon(ctx, o.CouponID); err != nil && !errors.Is(err, ErrCouponExhausted) {
				return o, err
			}
		}
	}
	if err := tx.AppendLedger(ctx, entry(next, LedgerPayment, ev.Money.Amount, now, ev.ID, "", note)); err != nil {
		return o, err
	}
	if err := tx.Grant(ctx, Entitlement{AccountID: o.AccountID, CourseID: o.CourseID, OrderID: o.ID, GrantedAt: now}); err != nil {
		return o, err
	}
	return next, nil
}

// close moves a pending order to expired or cancelled, giving its coupon
// redemption back, inside tx.
func (s *Service) close(ctx context.Context, tx Tx, o Order, st Status, now time.Time, ref, actor, note string) error {
	next, err := o.next(st, now)
	if err != nil {
		return err
	}
	if err := tx.UpdateOrder(ctx, next); err != nil {
		return err
	}
	if o.CouponID != "" {
		if err := tx.ReleaseCoupon(ctx, o.CouponID); err != nil {
			return err
		}
	}
	kind := LedgerExpired
	if st == StatusCancelled {
		kind = LedgerCancelled
	}
	return tx.AppendLedger(ctx, entry(next, kind, 0, now, ref, actor, note))
}

// CancelOrder cancels actor's pending order (its buyer or an admin) and
// closes its checkout at the provider.
func (s *Service) CancelOrder(ctx context.Context, actor classroom.Account, orderID string) (Order, error) {
	var o Order
	err := s.tx(ctx, func(tx Tx) error {
		cur, err := tx.Order(ctx, orderID)
		if err != nil {
			return err
		}
		if cur.AccountID != actor.ID && !isAdmin(actor) {
			return classroom.ErrNotFound
		}
		if cur.Status != StatusPending {
			return ErrOrderState
		}
		if err := s.close(ctx, tx, cur, StatusCancelled, s.clock(), "", actor.ID, "cancelled by the buyer"); err != nil {
			return err
		}
		o, err = tx.Order(ctx, orderID)
		return err
	})
	if err != nil {
		return o, err
	}
	if p, ok := s.byName[o.Provider]; ok {
		if err := p.CancelCheckout(ctx, o); err != nil {
			s.log.Warn("closing a cancelled order's checkout", "order", o.ID, "err", err)
		}
	}
	return o, nil
}

// ExpireOrders expires pending orders past their time (giving their
// coupon redemptions back); run it now and then. It returns how many it
// expired.
func (s *Service) ExpireOrders(ctx context.Context) (int, error) {
	list, err := s.store.ExpiredOrders(ctx, s.clock(), 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range list {
		err := s.tx(ctx, func(tx Tx) error {
			cur, err := tx.Order(ctx, o.ID)
			if err != nil || cur.Status != StatusPending || s.clock().Before(cur.ExpiresAt) {
				return err
			}
			n++
			return s.close(ctx, tx, cur, StatusExpired, s.clock(), "", "", "not paid in time")
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Receipt is an order with its ledger, refunds and extra payments.
type Receipt struct {
	Order   Order
	Ledger  []LedgerEntry
	Refunds []Refund
	Extra   []ExtraPayment
}

// Order returns an order's receipt to its buyer, the course's teacher or
// an admin.
func (s *Service) Order(ctx context.Context, actor classroom.Account, id string) (Receipt, error) {
	o, err := s.store.Order(ctx, id)
	if err != nil {
		return Receipt{}, err
	}
	if o.AccountID != actor.ID && o.TeacherID != actor.ID && !isAdmin(actor) {
		return Receipt{}, classroom.ErrNotFound
	}
	r := Receipt{Order: o}
	if r.Ledger, err = s.store.Ledger(ctx, id); err != nil {
		return r, err
	}
	if r.Refunds, err = s.store.ListRefunds(ctx, RefundQuery{OrderID: id}); err != nil {
		return r, err
	}
	r.Extra, err = s.store.ExtraPayments(ctx, id, "", 100)
	return r, err
}

// MyOrders lists actor's purchases, newest first.
func (s *Service) MyOrders(ctx context.Context, actor classroom.Account, p classroom.Page) ([]Order, error) {
	return s.store.ListOrders(ctx, OrderQuery{AccountID: actor.ID, Page: p})
}
