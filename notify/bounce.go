package notify

import (
	"errors"
	"fmt"
)

// ErrBounced: the receiving server refused the address or the message
// for good (an SMTP 5xx reply to RCPT or DATA). The outbox does not retry
// such a message; the address is marked as bouncing, and later mail to it
// is kept unsent until the mark is cleared (its owner verifies it again).
var ErrBounced = errors.New("notify: the address bounces")

// BounceError is a permanent refusal: the SMTP reply's code and text.
type BounceError struct {
	Code int
	Msg  string
}

func (e *BounceError) Error() string {
	return fmt.Sprintf("%s: %d %s", ErrBounced, e.Code, e.Msg)
}

// Unwrap makes errors.Is(err, ErrBounced) true.
func (e *BounceError) Unwrap() error { return ErrBounced }
