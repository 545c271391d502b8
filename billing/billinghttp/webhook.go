package billinghttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/lectern/lectern/billing"
)

// MaxWebhookBody bounds a notification (the providers' are a few KiB).
const MaxWebhookBody = 1 << 20

// webhook receives POST /api/v1/billing/webhooks/{provider}: the
// provider verifies the notification's signature with its keys before
// anything of it is read, then the event is applied exactly once. The
// answer is in the provider's own format (JSON for Stripe, an empty 204
// or {"code":"FAIL"} for WeChat Pay, "success" for Alipay): a success for
// everything the provider should not resend (including duplicate, unknown
// and mismatched events), a refusal for a bad signature or body, and a
// failure asking for a retry when the event could not be recorded.
func (h *HTTP) webhook(w http.ResponseWriter, r *http.Request) {
	log := h.svc.Logger()
	p, ok := h.svc.Provider(r.PathValue("provider"))
	if !ok {
		billing.AckJSON(w, "", billing.ErrUnknownProvider)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		p.Acknowledge(w, "", billing.Invalid("body", "could not be read"))
		return
	}
	ev, err := p.ParseWebhook(r.Header, body)
	if err != nil {
		log.Warn("webhook refused", "provider", p.Name(), "err", err)
		p.Acknowledge(w, "", err)
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
		log.Error("webhook failed; the provider will retry", "provider", p.Name(), "err", err)
		p.Acknowledge(w, "", err)
		return
	}
	p.Acknowledge(w, out, nil)
}
