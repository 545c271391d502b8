package billing_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	. "github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/devpay"
	"github.com/lectern/lectern/billing/stripe"
	"github.com/lectern/lectern/classroom"
	"github.com/stripe/stripe-go/v82/webhook"
)

func signed(body []byte, secret string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: time.Now()}).Header
}

var webhookSeeds = []string{
	``, `{}`, `null`, `[]`, `{"id":"evt_1"}`,
	`{"id":"evt_1","object":"event","api_version":"2025-08-27.basil","type":"checkout.session.completed","data":{"object":{"id":"cs_1","client_reference_id":"o1","amount_total":1999,"currency":"cny","payment_status":"paid"}}}`,
	`{"id":"evt_2","object":"event","type":"checkout.session.expired","data":null}`,
	`{"id":"evt_3","object":"event","type":"checkout.session.async_payment_failed","data":{"object":"not an object"}}`,
	`{"id":"d1","type":"payment.succeeded","order_id":"o1","amount":-5,"currency":"usd","created":1}`,
	`{"id":"d2","type":"payment.failed","amount":9223372036854775807}`,
}

// checkParsed: a webhook either parses to an event of its provider or
// fails with a signature or invalid-input error; never a panic.
func checkParsed(t *testing.T, provider string, ev Event, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrSignature) && !errors.Is(err, classroom.ErrInvalid) {
			t.Fatalf("%s webhook: unexpected error kind: %v", provider, err)
		}
		return
	}
	if ev.Provider != provider || ev.ID == "" {
		t.Fatalf("%s webhook parsed to %+v", provider, ev)
	}
}

// FuzzStripeWebhook: any body, unsigned or correctly signed.
func FuzzStripeWebhook(f *testing.F) {
	for _, s := range webhookSeeds {
		f.Add([]byte(s))
	}
	const secret = "whsec_fuzz"
	p, err := stripe.New(stripe.Config{SecretKey: "sk_test_fuzz", WebhookSecret: secret, BaseURL: "http://127.0.0.1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := p.ParseWebhook(http.Header{}, body); !errors.Is(err, ErrSignature) {
			t.Fatalf("an unsigned body was not refused for its signature: %v", err)
		}
		h := http.Header{}
		h.Set(stripe.StripeSignatureHeader, signed(body, secret))
		ev, err := p.ParseWebhook(h, body)
		checkParsed(t, "stripe", ev, err)
	})
}

// FuzzDevWebhook: the same for the dev provider's signed events.
func FuzzDevWebhook(f *testing.F) {
	for _, s := range webhookSeeds {
		f.Add([]byte(s))
	}
	const secret = "dev_fuzz"
	p := devpay.New(devpay.Config{WebhookSecret: secret})
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := p.ParseWebhook(http.Header{}, body); !errors.Is(err, ErrSignature) {
			t.Fatalf("an unsigned body was not refused for its signature: %v", err)
		}
		h := http.Header{}
		h.Set(devpay.DevSignatureHeader, signed(body, secret))
		ev, err := p.ParseWebhook(h, body)
		checkParsed(t, "dev", ev, err)
	})
}
