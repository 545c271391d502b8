package billing

import (
	"context"
	"net/http"

	"github.com/lectern/lectern/classroom"
)

// ProviderDisabled is the provider name when no payment provider was
// chosen: a production server started without --payment-provider. Paid
// courses cannot be bought (ErrPaymentsDisabled); free courses, free
// previews and orders made earlier through another provider still work.
const ProviderDisabled = "disabled"

// disabledProvider refuses every payment.
type disabledProvider struct{}

func (disabledProvider) Name() string { return ProviderDisabled }

func (disabledProvider) StartCheckout(context.Context, Order, classroom.Course) (Checkout, error) {
	return Checkout{}, ErrPaymentsDisabled
}

func (disabledProvider) CancelCheckout(context.Context, Order) error { return nil }

func (disabledProvider) ParseWebhook(http.Header, []byte) (Event, error) {
	return Event{}, ErrUnknownProvider
}

func (disabledProvider) Refund(context.Context, Order, string, int64) (string, error) {
	return "", ErrPaymentsDisabled
}
