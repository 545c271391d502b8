package billinghttp

import (
	"github.com/lectern/lectern/billing"
	"net/http"

	"github.com/lectern/lectern/api"
)

// IdempotencyHeader names the header that makes order creation safe to
// repeat.
const IdempotencyHeader = "Idempotency-Key"

type orderRequest struct {
	CourseID string `json:"course_id"`
	Coupon   string `json:"coupon"`
	Provider string `json:"provider"`
	Method   string `json:"method"`
}

func (h *HTTP) createOrder(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	var req orderRequest
	if err := h.api.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := h.api.Throttle(w, r, api.ActionOrder, c.Account.ID); err != nil {
		return err
	}
	if req.Coupon != "" {
		// Coupon codes can be guessed: attempts are counted per account
		// and address whatever the code, and a code used up answers like
		// an unknown one.
		if err := h.api.Throttle(w, r, api.ActionCoupon, c.Account.ID); err != nil {
			return err
		}
	}
	client := billing.CheckoutClient{IP: h.api.ClientIP(r)}
	if err := h.payerOpenID(r.Context(), c, req, &client); err != nil {
		return err
	}
	o, created, err := h.svc.CreateOrder(r.Context(), c.Account, billing.OrderRequest{CourseID: req.CourseID,
		CouponCode: req.Coupon, IdempotencyKey: r.Header.Get(IdempotencyHeader),
		Provider: req.Provider, Method: req.Method, Client: client})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/orders/"+o.ID)
	}
	api.WriteJSON(w, status, viewOrder(o))
	return nil
}

func (h *HTTP) getOrder(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rc, err := h.svc.Order(r.Context(), c.Account, id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, viewReceipt(rc))
	return nil
}

func (h *HTTP) cancelOrder(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := h.svc.CancelOrder(r.Context(), c.Account, id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, viewOrder(o))
	return nil
}

func (h *HTTP) myOrders(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	p, err := api.PageOf(r)
	if err != nil {
		return err
	}
	list, err := h.svc.MyOrders(r.Context(), c.Account, p)
	if err != nil {
		return err
	}
	out := []orderView{}
	for _, o := range list {
		out = append(out, viewOrder(o))
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"orders": out})
	return nil
}
