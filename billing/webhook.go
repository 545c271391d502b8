package billing

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/lectern/lectern/api"
)

// MaxWebhookBody bounds a webhook delivery (Stripe's are a few KiB).
const MaxWebhookBody = 1 << 20

// webhook receives POST /api/v1/billing/webhooks/{provider}: the
// signature is verified, then the event applied exactly once. It answers
// 200 for everything the provider should not resend (including duplicate,
// unknown and mismatched events), 400 for a bad signature or body, and 5xx
// when the event could not be recorded, so the provider retries.
func (h *HTTP) webhook(w http.ResponseWriter, r *http.Request) {
	writeErr := func(err error) {
		e, known := api.ErrorFor(apiErr(err))
		if !known {
			h.svc.log.Error("webhook failed; the provider will retry", "err", err)
		}
		api.WriteJSON(w, e.Status, e)
	}
	p := h.svc.provider
	if r.PathValue("provider") != p.Name() {
		writeErr(ErrUnknownProvider)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		writeErr(invalid("body", "could not be read"))
		return
	}
	ev, err := p.ParseWebhook(r.Header, body)
	if err != nil {
		h.svc.log.Warn("webhook refused", "provider", p.Name(), "err", err)
		writeErr(err)
		return
	}
	// Finish applying an event even if the provider hangs up: it will
	// retry anyway, and the work is one short transaction.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	out, err := h.svc.ApplyEvent(ctx, ev)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("billing: applying the event timed out")
		}
		writeErr(err)
		return
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"received": true, "outcome": out})
}
