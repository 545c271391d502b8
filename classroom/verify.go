package classroom

import (
	"context"
	"time"
)

// EmailVerificationTTL is how long an address-verification link works.
const EmailVerificationTTL = 7 * 24 * time.Hour

// EmailVerified reports whether the account's owner opened the link
// mailed to its address.
func (a Account) EmailVerified() bool { return !a.EmailVerifiedAt.IsZero() }

// EmailVerification stores that an address was verified.
type EmailVerification interface {
	// SetEmailVerified marks accountID's address verified at at if it is
	// still email (ErrConflict if the address changed since the link was
	// mailed); verifying again changes nothing.
	// It also clears the address's bounce mark (ClearEmailBounce).
	SetEmailVerified(ctx context.Context, accountID, email string, at time.Time) error
	// ClearEmailBounce forgets that addr bounces and releases the mail
	// kept unsent for it (due at at); nothing when it does not bounce.
	ClearEmailBounce(ctx context.Context, addr string, at time.Time) error
	// ChangeEmail moves accountID from address from to address to
	// (unverified) at at and queues mails, in one transaction;
	// ErrEmailTaken if another account uses to, ErrConflict if the
	// account's address is no longer from.
	ChangeEmail(ctx context.Context, accountID, from, to string, at time.Time, mails []Mail) error
}
