// Package billinghttp serves billing over HTTP: its REST routes under
// /api/v1 (prices, coupons, orders, refunds, revenue, payouts), the
// providers' notification endpoint and the dev provider's checkout page,
// authenticated by package api's sessions.
//
// billinghttp imports billing and api; billing imports neither it nor api.
package billinghttp

import (
	"errors"
	"github.com/lectern/lectern/billing"
	"net/http"
	"time"

	"github.com/lectern/lectern/api"
)

// HTTP serves billing's REST routes and the dev provider's checkout page,
// authenticating through the API server's sessions.
type HTTP struct {
	svc *billing.Service
	api *api.Server
}

// New returns billing's HTTP routes, authenticated by srv's sessions.
func New(svc *billing.Service, srv *api.Server) *HTTP {
	return &HTTP{svc: svc, api: srv}
}

// Register adds billing's routes to mux (next to srv.Register's).
func (h *HTTP) Register(mux *http.ServeMux) {
	a := h.api
	authed := func(f api.CallerFunc) http.Handler { return a.Authed(h.wrap(f)) }
	optional := func(f api.CallerFunc) http.Handler { return a.Optional(h.wrap(f)) }
	form := func(f api.CallerFunc) http.Handler { return a.AuthedForm(devCSRFField, h.wrap(f)) }
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
		{"POST /api/v1/coupons/{id}/disable", authed(h.disableCoupon)},
		// orders
		{"POST /api/v1/orders", authed(h.createOrder)},
		{"GET /api/v1/orders/{id}", authed(h.getOrder)},
		{"GET /api/v1/orders/{id}/qr.svg", authed(h.orderQR)},
		{"GET /api/v1/orders/{id}/wechat-jsapi", authed(h.wechatBridge)},
		{"GET " + oauthPath, authed(h.wechatOAuth)},
		{"GET " + oauthPath + "/callback", authed(h.wechatOAuthCallback)},
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
		// payouts
		{"GET /api/v1/teachers/{id}/statements", authed(h.statements(false))},
		{"GET /api/v1/teachers/{id}/statements.csv", authed(h.statements(true))},
		{"POST /api/v1/teachers/{id}/statements/{month}/{currency}/paid", authed(h.markPaid)},
		{"PUT /api/v1/teachers/{id}/commission", authed(h.putCommission)},
		{"DELETE /api/v1/teachers/{id}/commission", authed(h.deleteCommission)},
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
	{billing.ErrIdempotencyKey, http.StatusBadRequest, "idempotency_key_required", ""},
	{billing.ErrIdempotencyReused, http.StatusConflict, "idempotency_key_reused", ""},
	{billing.ErrAlreadyOwned, http.StatusConflict, "already_owned", ""},
	{billing.ErrOrderPending, http.StatusConflict, "order_pending", ""},
	{billing.ErrCourseFree, http.StatusConflict, "course_free", ""},
	{billing.ErrCouponInvalid, http.StatusUnprocessableEntity, "coupon_invalid", "coupon"},
	{billing.ErrCouponCodeTaken, http.StatusConflict, "coupon_code_taken", "code"},
	{billing.ErrOrderState, http.StatusConflict, "invalid_order_state", ""},
	{billing.ErrRefundNotAllowed, http.StatusConflict, "refund_not_allowed", ""},
	{billing.ErrRefundOpen, http.StatusConflict, "refund_open", ""},
	{billing.ErrProvider, http.StatusBadGateway, "payment_provider_error", ""},
	{billing.ErrSignature, http.StatusBadRequest, "bad_signature", ""},
	{billing.ErrUnknownProvider, http.StatusNotFound, "not_found", ""},
	{billing.ErrStatementPaid, http.StatusConflict, "statement_paid", ""},
	{billing.ErrOutcomeUnknown, http.StatusAccepted, "provider_pending", ""},
	{billing.ErrPaymentsDisabled, http.StatusServiceUnavailable, "payments_disabled", ""},
	{billing.ErrPayerUnknown, http.StatusConflict, "wechat_auth_required", ""},
}

// apiErr turns billing's errors into *api.Error; others pass through.
func apiErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, billing.ErrCouponExhausted) {
		// Someone guessing codes must not learn that this one exists.
		err = billing.ErrCouponInvalid
	}
	for _, b := range billingErrors {
		if errors.Is(err, b.err) {
			msg := b.err.Error()[len("billing: "):]
			if b.err == billing.ErrOrderPending {
				msg = err.Error()[len("billing: "):]
			}
			return &api.Error{Status: b.status, Code: b.code, Message: msg, Field: b.field}
		}
	}
	return err
}

// wrap maps f's billing errors and hands billing the client's address for
// the audit log.
func (h *HTTP) wrap(f func(w http.ResponseWriter, r *http.Request, c *api.Caller) error) api.CallerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
		r = r.WithContext(billing.WithOrigin(r.Context(), h.api.ClientIP(r)))
		return apiErr(f(w, r, c))
	}
}

func (h *HTTP) config(w http.ResponseWriter, r *http.Request) error {
	type providerView struct {
		Name       string   `json:"name"`
		Methods    []string `json:"methods"`
		Currencies []string `json:"currencies,omitempty"`
	}
	ps := []providerView{}
	for _, p := range h.svc.Providers() {
		ps = append(ps, providerView{Name: p.Name(), Methods: p.Methods(), Currencies: p.Currencies()})
	}
	first := ""
	if len(ps) > 0 {
		first = ps[0].Name
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"provider": first, "providers": ps,
		"enabled": len(ps) > 0, "payments_enabled": len(ps) > 0, "test_payments": h.svc.TestPayments(),
		"default_currency": h.svc.DefaultCurrency(), "order_ttl_seconds": int64(h.svc.OrderTTL() / time.Second)})
	return nil
}
