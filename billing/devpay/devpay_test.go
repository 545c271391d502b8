package devpay

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
)

func TestDevEventRoundTrip(t *testing.T) {
	p := New(Config{WebhookSecret: "s", Tolerance: time.Minute})
	ev := NewDevEvent(billing.Order{ID: "o", Amount: 5, Currency: "EUR"}, "payment.succeeded", time.Now())
	body, _ := json.Marshal(ev)
	h := map[string][]string{DevSignatureHeader: {SignDevEvent(body, "s", time.Now())}}
	got, err := p.ParseWebhook(h, body)
	if err != nil || got.Type != billing.EventPaid || got.Money != (billing.Money{Amount: 5, Currency: "EUR"}) {
		t.Fatalf("%+v, %v", got, err)
	}
	h[DevSignatureHeader] = []string{SignDevEvent(body, "other", time.Now())}
	if _, err := p.ParseWebhook(h, body); !errors.Is(err, billing.ErrSignature) {
		t.Fatalf("wrong secret: %v", err)
	}
}
