package billinghttp

import (
	"github.com/lectern/lectern/billing"
	"net/http"

	"github.com/lectern/lectern/api"
)

type refundRequest struct {
	Amount int64  `json:"amount"`
	Reason string `json:"reason"`
}

type decisionRequest struct {
	Amount int64  `json:"amount"`
	Note   string `json:"note"`
}

// pathAndBody reads the ID in r's path and r's JSON body into a new T.
func pathAndBody[T any](h *HTTP, w http.ResponseWriter, r *http.Request) (string, T, error) {
	var req T
	id, err := pathID(r)
	if err == nil {
		err = h.api.DecodeJSON(w, r, &req)
	}
	return id, req, err
}

// writeRefund answers a refund made or decided by a call of the service.
func writeRefund(w http.ResponseWriter, status int, rf billing.Refund, err error) error {
	if err != nil {
		return err
	}
	api.WriteJSON(w, status, viewRefund(rf))
	return nil
}

// requestRefund serves POST /orders/{id}/refund-requests: the buyer asks.
func (h *HTTP) requestRefund(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, req, err := pathAndBody[refundRequest](h, w, r)
	if err != nil {
		return err
	}
	rf, err := h.svc.RequestRefund(r.Context(), c.Account, id, req.Amount, req.Reason)
	return writeRefund(w, http.StatusCreated, rf, err)
}

// adminRefund serves POST /orders/{id}/refunds: an admin refunds.
func (h *HTTP) adminRefund(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, req, err := pathAndBody[decisionRequest](h, w, r)
	if err != nil {
		return err
	}
	rf, err := h.svc.AdminRefund(r.Context(), c.Account, id, req.Amount, req.Note)
	return writeRefund(w, http.StatusCreated, rf, err)
}

// decide serves POST /refunds/{id}/approve (approve) and /decline.
func (h *HTTP) decide(approve bool) api.CallerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
		id, req, err := pathAndBody[decisionRequest](h, w, r)
		if err != nil {
			return err
		}
		if !approve && req.Amount != 0 {
			return billing.Invalid("amount", "only goes with approve")
		}
		rf, err := h.svc.DecideRefund(r.Context(), c.Account, id, approve, req.Amount, req.Note)
		return writeRefund(w, http.StatusOK, rf, err)
	}
}

func (h *HTTP) listRefunds(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	p, err := api.PageOf(r)
	if err != nil {
		return err
	}
	q := billing.RefundQuery{Status: billing.RefundStatus(r.URL.Query().Get("status")), Page: p}
	switch q.Status {
	case "", billing.RefundRequested, billing.RefundDeclined, billing.RefundProcessing, billing.RefundSucceeded, billing.RefundFailed:
	default:
		return &api.Error{Status: http.StatusBadRequest, Code: "invalid_input", Field: "status",
			Message: "status must be requested, declined, processing, succeeded or failed"}
	}
	list, err := h.svc.Refunds(r.Context(), c.Account, q)
	if err != nil {
		return err
	}
	out := []refundView{}
	for _, rf := range list {
		out = append(out, viewRefund(rf))
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"refunds": out})
	return nil
}

func (h *HTTP) courseRevenue(csv bool) api.CallerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		rows, err := h.svc.CourseRevenue(r.Context(), c.Account, id, q.Get("from"), q.Get("to"))
		if err != nil {
			return err
		}
		return writeRevenue(w, rows, csv, "revenue-course-"+id+".csv")
	}
}

func (h *HTTP) teacherRevenue(csv bool) api.CallerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
		id, err := teacherID(r, c)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		rows, err := h.svc.TeacherRevenue(r.Context(), c.Account, id, q.Get("from"), q.Get("to"))
		if err != nil {
			return err
		}
		return writeRevenue(w, rows, csv, "revenue-teacher-"+id+".csv")
	}
}

func writeRevenue(w http.ResponseWriter, rows []billing.RevenueRow, csv bool, name string) error {
	if !csv {
		api.WriteJSON(w, http.StatusOK, viewRevenue(rows))
		return nil
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	return billing.WriteRevenueCSV(w, rows)
}
