package billing

import (
	"context"
	"errors"

	"github.com/lectern/lectern/classroom"
)

// courseOwned loads a course and checks that actor teaches it (or is an
// admin); assistants cannot change prices.
func (s *Service) courseOwned(ctx context.Context, actor classroom.Account, courseID string) (classroom.Course, error) {
	c, err := s.store.Course(ctx, courseID)
	if err != nil {
		return c, err
	}
	if c.TeacherID != actor.ID && !isAdmin(actor) {
		return c, classroom.ErrForbidden
	}
	return c, nil
}

// CoursePrice is a course's price (the zero Price, free, when it has none)
// and its free-preview lessons.
func (s *Service) CoursePrice(ctx context.Context, courseID string) (Price, []string, error) {
	p, err := s.store.Price(ctx, courseID)
	if errors.Is(err, classroom.ErrNotFound) {
		p, err = Price{CourseID: courseID, RefundWindow: DefaultRefundWindow,
			RefundLessonsPercent: DefaultRefundLessonsPercent}, nil
	}
	if err != nil {
		return p, nil, err
	}
	free, err := s.store.FreeLessons(ctx, courseID)
	return p, free, err
}

// SetPrice sets a course's price (Amount 0: free); only its teacher or an
// admin may.
func (s *Service) SetPrice(ctx context.Context, actor classroom.Account, courseID string, in PriceInput) (Price, error) {
	if _, err := s.courseOwned(ctx, actor, courseID); err != nil {
		return Price{}, err
	}
	if in.Currency == "" {
		in.Currency = s.DefaultCurrency()
	}
	p, err := NewPrice(courseID, in, s.clock())
	if err != nil {
		return p, err
	}
	err = s.tx(ctx, func(tx Tx) error {
		before, err := txPrice(ctx, tx, courseID)
		if err != nil {
			return err
		}
		if err := tx.PutPrice(ctx, p); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, classroom.NewAuditEntry(actor, origin(ctx), p.UpdatedAt, classroom.AuditPriceSet, "course", courseID,
			before, auditPrice(p, true)))
	})
	if err != nil {
		return p, err
	}
	s.log.Info("price set", "course", courseID, "price", p.Money.String(), "by", actor.ID)
	return p, nil
}

// RemovePrice makes a course free.
func (s *Service) RemovePrice(ctx context.Context, actor classroom.Account, courseID string) error {
	if _, err := s.courseOwned(ctx, actor, courseID); err != nil {
		return err
	}
	return s.tx(ctx, func(tx Tx) error {
		before, err := txPrice(ctx, tx, courseID)
		if err != nil {
			return err
		}
		if err := tx.DeletePrice(ctx, courseID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, classroom.NewAuditEntry(actor, origin(ctx), s.clock(), classroom.AuditPriceRemove, "course", courseID,
			before, auditPrice(Price{}, false)))
	})
}

// txPrice is a course's price inside tx as the audit log shows it.
func txPrice(ctx context.Context, tx Tx, courseID string) (priceAudit, error) {
	p, err := tx.Price(ctx, courseID)
	if errors.Is(err, classroom.ErrNotFound) {
		return auditPrice(p, false), nil
	}
	return auditPrice(p, err == nil), err
}

// SetFreePreview flags a lesson as a free preview (or not).
func (s *Service) SetFreePreview(ctx context.Context, actor classroom.Account, lessonID string, free bool) (classroom.Lesson, error) {
	l, err := s.store.Lesson(ctx, lessonID)
	if err != nil {
		return l, err
	}
	if _, err := s.courseOwned(ctx, actor, l.CourseID); err != nil {
		return l, err
	}
	return l, s.tx(ctx, func(tx Tx) error { return tx.SetFreeLesson(ctx, l.CourseID, l.ID, free) })
}

// CreateCoupon creates a coupon of actor's (a teacher) for one of their
// courses or all of them.
func (s *Service) CreateCoupon(ctx context.Context, actor classroom.Account, in CouponInput) (Coupon, error) {
	if !actor.Roles.Has(classroom.RoleTeacher) {
		return Coupon{}, classroom.ErrForbidden
	}
	if in.CourseID != "" {
		c, err := s.store.Course(ctx, in.CourseID)
		if errors.Is(err, classroom.ErrNotFound) || err == nil && c.TeacherID != actor.ID {
			return Coupon{}, Invalid("course_id", "is not one of your courses")
		}
		if err != nil {
			return Coupon{}, err
		}
	}
	c, err := NewCoupon(actor.ID, in, s.clock())
	if err != nil {
		return c, err
	}
	return c, s.tx(ctx, func(tx Tx) error { return tx.CreateCoupon(ctx, c) })
}

// Coupons lists actor's coupons.
func (s *Service) Coupons(ctx context.Context, actor classroom.Account) ([]Coupon, error) {
	return s.store.ListCoupons(ctx, actor.ID)
}

// DisableCoupon ends one of actor's coupons now: it expires, keeping its
// redemptions. Someone else's coupon is ErrNotFound.
func (s *Service) DisableCoupon(ctx context.Context, actor classroom.Account, id string) (Coupon, error) {
	c, err := s.store.Coupon(ctx, id)
	if err == nil && c.TeacherID != actor.ID {
		err = classroom.ErrNotFound
	}
	if err != nil {
		return Coupon{}, err
	}
	now := s.clock()
	if err := s.tx(ctx, func(tx Tx) error { return tx.ExpireCoupon(ctx, id, now) }); err != nil {
		return c, err
	}
	return s.store.Coupon(ctx, id)
}
