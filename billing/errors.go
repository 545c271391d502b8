package billing

import (
	"errors"

	"github.com/lectern/lectern/classroom"
)

// Sentinel errors, compared with errors.Is. Missing things are
// classroom.ErrNotFound, bad input a *classroom.FieldError (ErrInvalid),
// a lost race classroom.ErrConflict, so package api maps them as usual.
var (
	// ErrIdempotencyKey means the Idempotency-Key header is missing or
	// malformed.
	ErrIdempotencyKey = errors.New("billing: Idempotency-Key header missing or malformed")
	// ErrIdempotencyReused means the key was used before with another body.
	ErrIdempotencyReused = errors.New("billing: Idempotency-Key reused with a different request")
	// ErrAlreadyOwned means the student already owns the course.
	ErrAlreadyOwned = errors.New("billing: you already own this course")
	// ErrOrderPending means the student has an unfinished order for the
	// course; finish or cancel it first.
	ErrOrderPending = errors.New("billing: an order for this course is already waiting for payment")
	// ErrCourseFree means the course has no price: enrol instead.
	ErrCourseFree = errors.New("billing: this course is free")
	// ErrCouponInvalid means the coupon is unknown, expired or does not
	// apply to the course.
	ErrCouponInvalid = errors.New("billing: coupon not valid for this course")
	// ErrCouponExhausted means the coupon reached its maximum redemptions.
	ErrCouponExhausted = errors.New("billing: coupon fully redeemed")
	// ErrCouponCodeTaken means the teacher already has a coupon with that
	// code.
	ErrCouponCodeTaken = errors.New("billing: coupon code already in use")
	// ErrOrderState means the order's status does not allow this.
	ErrOrderState = errors.New("billing: order status does not allow this")
	// ErrRefundNotAllowed means the refund window has closed or too many
	// lessons have passed (an admin may still refund).
	ErrRefundNotAllowed = errors.New("billing: refund no longer possible")
	// ErrRefundOpen means the order already has a refund being decided or
	// processed.
	ErrRefundOpen = errors.New("billing: a refund for this order is already open")
	// ErrProvider means the payment provider failed or refused; the
	// request may be retried.
	ErrProvider = errors.New("billing: payment provider error")
	// ErrSignature means a webhook's signature is missing, wrong or stale.
	ErrSignature = errors.New("billing: webhook signature invalid")
	// ErrOutcomeUnknown means a provider call's outcome is not known (a
	// timeout, a refund still processing): ask again later with the same
	// idempotency key.
	ErrOutcomeUnknown = errors.New("billing: the provider's answer is not known yet")
	// ErrPaymentsDisabled means the server runs without a payment
	// provider (no --payment-provider): paid courses cannot be bought.
	ErrPaymentsDisabled = errors.New("billing: payments are disabled on this server; paid courses cannot be bought")
	// ErrStatementPaid means the statement was marked paid already.
	ErrStatementPaid = errors.New("billing: statement already paid")
	// ErrPayerUnknown means the checkout needs the payer's identity at
	// the provider (WeChat Pay JSAPI: their openid, from WeChat's OAuth),
	// which Lectern does not have or WeChat refused.
	ErrPayerUnknown = errors.New("billing: sign in with WeChat first to pay inside WeChat")
	// ErrUnknownProvider names no configured provider.
	ErrUnknownProvider = errors.New("billing: unknown payment provider")
)

// ErrEntitlementRequired is classroom's: the course must be bought first.
var ErrEntitlementRequired = classroom.ErrEntitlementRequired

// Invalid is bad input in field: a *classroom.FieldError wrapping
// classroom.ErrInvalid.
func Invalid(field, reason string) error {
	return &classroom.FieldError{Field: field, Reason: reason, Err: classroom.ErrInvalid}
}
