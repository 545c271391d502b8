package billinghttp

import (
	"github.com/lectern/lectern/billing"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
)

func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if uuid.Validate(id) != nil {
		return "", classroom.ErrNotFound
	}
	return id, nil
}

func (h *HTTP) getPrice(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := h.svc.Store().Course(r.Context(), id); err != nil {
		return err
	}
	p, free, err := h.svc.CoursePrice(r.Context(), id)
	if err != nil {
		return err
	}
	v := viewPrice(p, free)
	if c != nil {
		owned, err := h.svc.Owns(r.Context(), c.Account.ID, id)
		if err != nil {
			return err
		}
		v.Owned = &owned
	}
	api.WriteJSON(w, http.StatusOK, v)
	return nil
}

type priceRequest struct {
	Amount               *int64  `json:"amount"`
	Currency             *string `json:"currency"`
	RefundWindowDays     *int    `json:"refund_window_days"`
	RefundLessonsPercent *int    `json:"refund_lessons_percent"`
}

func (h *HTTP) putPrice(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req priceRequest
	if err := h.api.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Amount == nil {
		return billing.Invalid("amount", "is required (0 makes the course free)")
	}
	cur := h.svc.DefaultCurrency()
	if req.Currency != nil {
		cur = *req.Currency
	}
	if cur == "" {
		return billing.Invalid("currency", "is required")
	}
	p, err := h.svc.SetPrice(r.Context(), c.Account, id, billing.PriceInput{Amount: *req.Amount, Currency: cur,
		RefundWindowDays: req.RefundWindowDays, RefundLessonsPercent: req.RefundLessonsPercent})
	if err != nil {
		return err
	}
	_, free, err := h.svc.CoursePrice(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, viewPrice(p, free))
	return nil
}

func (h *HTTP) deletePrice(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.svc.RemovePrice(r.Context(), c.Account, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *HTTP) putFreePreview(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req struct {
		FreePreview *bool `json:"free_preview"`
	}
	if err := h.api.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.FreePreview == nil {
		return billing.Invalid("free_preview", "is required")
	}
	l, err := h.svc.SetFreePreview(r.Context(), c.Account, id, *req.FreePreview)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"lesson_id": l.ID, "course_id": l.CourseID,
		"free_preview": *req.FreePreview})
	return nil
}

type couponRequest struct {
	Code           string    `json:"code"`
	CourseID       string    `json:"course_id"`
	PercentOff     int       `json:"percent_off"`
	AmountOff      int64     `json:"amount_off"`
	Currency       string    `json:"currency"`
	ExpiresAt      time.Time `json:"expires_at"`
	MaxRedemptions int       `json:"max_redemptions"`
}

func (h *HTTP) createCoupon(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	var req couponRequest
	if err := h.api.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	cp, err := h.svc.CreateCoupon(r.Context(), c.Account, billing.CouponInput(req))
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, viewCoupon(cp))
	return nil
}

func (h *HTTP) listCoupons(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	list, err := h.svc.Coupons(r.Context(), c.Account)
	if err != nil {
		return err
	}
	out := []couponView{}
	for _, cp := range list {
		out = append(out, viewCoupon(cp))
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"coupons": out})
	return nil
}

// disableCoupon serves POST /coupons/{id}/disable: the coupon's teacher
// ends it now.
func (h *HTTP) disableCoupon(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cp, err := h.svc.DisableCoupon(r.Context(), c.Account, id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, viewCoupon(cp))
	return nil
}
