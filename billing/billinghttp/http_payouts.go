package billinghttp

import (
	"net/http"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

type statementView struct {
	Month         string     `json:"month"`
	Currency      string     `json:"currency"`
	Orders        int        `json:"orders"`
	Gross         int64      `json:"gross"`
	Refunds       int64      `json:"refunds"`
	CommissionBps int        `json:"commission_bps"`
	Commission    int64      `json:"commission"`
	Net           int64      `json:"net"`
	Status        string     `json:"status"`
	PaidAt        *time.Time `json:"paid_at,omitempty"`
	PaidRef       string     `json:"paid_ref,omitempty"`
}

func viewStatement(st billing.Statement) statementView {
	return statementView{Month: st.Month, Currency: st.Currency, Orders: st.Orders, Gross: st.Gross,
		Refunds: st.Refunds, CommissionBps: st.CommissionBps, Commission: st.Commission, Net: st.Net,
		Status: string(st.Status), PaidAt: timePtr(st.PaidAt), PaidRef: st.PaidRef}
}

// teacherID reads {id} ("me" for the caller).
func teacherID(r *http.Request, c *api.Caller) (string, error) {
	id := r.PathValue("id")
	if id == "me" {
		return c.Account.ID, nil
	}
	if _, err := pathID(r); err != nil {
		return "", classroom.ErrNotFound
	}
	return id, nil
}

func (h *HTTP) statements(csv bool) api.CallerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
		id, err := teacherID(r, c)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		list, err := h.svc.Statements(r.Context(), c.Account, id, q.Get("from"), q.Get("to"))
		if err != nil {
			return err
		}
		if csv {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="statements-`+id+`.csv"`)
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			return billing.WriteStatementsCSV(w, list)
		}
		bps, override, err := h.svc.CommissionBps(r.Context(), id)
		if err != nil {
			return err
		}
		out := []statementView{}
		for _, st := range list {
			out = append(out, viewStatement(st))
		}
		api.WriteJSON(w, http.StatusOK, map[string]any{"teacher_id": id, "commission_bps": bps,
			"commission_override": override, "statements": out})
		return nil
	}
}

func (h *HTTP) markPaid(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := teacherID(r, c)
	if err != nil {
		return err
	}
	var req struct {
		Reference string `json:"reference"`
	}
	if err := h.api.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	st, err := h.svc.MarkStatementPaid(r.Context(), c.Account, id, r.PathValue("month"), r.PathValue("currency"), req.Reference)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, viewStatement(st))
	return nil
}

func (h *HTTP) putCommission(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := teacherID(r, c)
	if err != nil {
		return err
	}
	var req struct {
		Bps *int `json:"bps"`
	}
	if err := h.api.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Bps == nil {
		return billing.Invalid("bps", "is required (DELETE removes the override)")
	}
	return h.commissionSet(w, r, c, id, req.Bps)
}

func (h *HTTP) deleteCommission(w http.ResponseWriter, r *http.Request, c *api.Caller) error {
	id, err := teacherID(r, c)
	if err != nil {
		return err
	}
	return h.commissionSet(w, r, c, id, nil)
}

func (h *HTTP) commissionSet(w http.ResponseWriter, r *http.Request, c *api.Caller, id string, bps *int) error {
	if err := h.svc.SetCommission(r.Context(), c.Account, id, bps); err != nil {
		return err
	}
	v, override, err := h.svc.CommissionBps(r.Context(), id)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"teacher_id": id, "commission_bps": v, "commission_override": override})
	return nil
}
