package billing

import (
	"errors"
	"net/http"
	"time"

	"github.com/lectern/lectern/api"
)

// HTTP serves billing's REST routes and the dev provider's checkout page,
// authenticating through the API server's sessions.
type HTTP struct {
	svc *Service
	api *api.Server
}

// NewHTTP returns billing's HTTP routes, authenticated by srv's sessions.
func NewHTTP(svc *Service, srv *api.Server) *HTTP {
	return &HTTP{svc: svc, api: srv}
}

// Register adds billing's routes to mux (next to srv.Register's).
func (h *HTTP) Register(mux *http.ServeMux) {
	a := h.api
	authed := func(f api.CallerFunc) http.Handler { return a.Authed(wrap(f)) }
	optional := func(f api.CallerFunc) http.Handler { return a.Optional(wrap(f)) }
	form := func(f api.CallerFunc) http.Handler { return a.AuthedForm(devCSRFField, wrap(f)) }
	routes := []struct {
		pattern string
		h       http.Handler
	}{
		{"GET /api/v1/billing/config", a.Public(h.config)},
		{"POST /api/v1/billing/webhooks/{provider}", http.HandlerFunc(h.webhook)},
		{"GET /api/v1/billing/dev/checkout/{id}", form(h.devCheckoutPage)},
		{"POST /api/v1/billing/dev/checkout/{id}", form(h.devCheckoutPost)},
		// prices and free previews
		{"GET /api/v1/courses/{id}/price", optional(h.getPrice)},
		{"PUT /api/v1/courses/{id}/price", authed(h.putPrice)},
		{"DELETE /api/v1/courses/{id}/price", authed(h.deletePrice)},
		{"PUT /api/v1/lessons/{id}/free-preview", authed(h.putFreePreview)},
		// coupons
		{"GET /api/v1/coupons", authed(h.listCoupons)},
		{"POST /api/v1/coupons", authed(h.createCoupon)},
		// orders
		{"POST /api/v1/orders", authed(h.createOrder)},
		{"GET /api/v1/orders/{id}", authed(h.getOrder)},
		{"POST /api/v1/orders/{id}/cancel", authed(h.cancelOrder)},
		{"GET /api/v1/me/orders", authed(h.myOrders)},
		// refunds
		{"POST /api/v1/orders/{id}/refund-requests", authed(h.requestRefund)},
		{"POST /api/v1/orders/{id}/refunds", authed(h.adminRefund)},
		{"GET /api/v1/refunds", authed(h.listRefunds)},
		{"POST /api/v1/refunds/{id}/approve", authed(h.decide(true))},
		{"POST /api/v1/refunds/{id}/decline", authed(h.decide(false))},
		// revenue
		{"GET /api/v1/courses/{id}/revenue", authed(h.courseRevenue(false))},
		{"GET /api/v1/courses/{id}/revenue.csv", authed(h.courseRevenue(true))},
		{"GET /api/v1/teachers/{id}/revenue", authed(h.teacherRevenue(false))},
		{"GET /api/v1/teachers/{id}/revenue.csv", authed(h.teacherRevenue(true))},
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, rt.h)
	}
}

// billingErrors maps billing's sentinels to API errors; classroom's are
// left to package api.
var billingErrors = []struct {
	err    error
	status int
	code   string
	field  string
}{
	{ErrIdempotencyKey, http.StatusBadRequest, "idempotency_key_required", ""},
	{ErrIdempotencyReused, http.StatusConflict, "idempotency_key_reused", ""},
	{ErrAlreadyOwned, http.StatusConflict, "already_owned", ""},
	{ErrOrderPending, http.StatusConflict, "order_pending", ""},
	{ErrCourseFree, http.StatusConflict, "course_free", ""},
	{ErrCouponInvalid, http.StatusUnprocessableEntity, "coupon_invalid", "coupon"},
	{ErrCouponCodeTaken, http.StatusConflict, "coupon_code_taken", "code"},
	{ErrOrderState, http.StatusConflict, "invalid_order_state", ""},
	{ErrRefundNotAllowed, http.StatusConflict, "refund_not_allowed", ""},
	{ErrRefundOpen, http.StatusConflict, "refund_open", ""},
	{ErrPaymentsDisabled, http.StatusServiceUnavailable, "payments_disabled", ""},
	{ErrProvider, http.StatusBadGateway, "payment_provider_error", ""},
	{ErrSignature, http.StatusBadRequest, "bad_signature", ""},
	{ErrUnknownProvider, http.StatusNotFound, "not_found", ""},
}

// apiErr turns billing's errors into *api.Error; others pass through.
func apiErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrCouponExhausted) {
		// Someone guessing codes must not learn that this one exists.
		err = ErrCouponInvalid
	}
	for _, b := range billingErrors {
		if errors.Is(err, b.err) {
			msg := b.err.Error()[len("billing: "):]
			if b.err == ErrOrderPending {
				msg = err.Error()[len("billing: "):]
			}
			return &api.Error{Status: b.status, Code: b.code, Message: msg, Field: b.field}
		}
	}
	return err
}

func wrap(f func(w http.ResponseWriter, r *http.Request, c *api.Caller) error) api.CallerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *api.Caller) error { return apiErr(f(w, r, c)) }
}

func (h *HTTP) config(w http.ResponseWriter, r *http.Request) error {
	name := h.svc.ProviderName()
	api.WriteJSON(w, http.StatusOK, map[string]any{"provider": name,
		"payments_enabled": name != ProviderDisabled, "test_payments": name == "dev",
		"order_ttl_seconds": int64(h.svc.ttl / time.Second)})
	return nil
}
