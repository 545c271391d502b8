package classroom

import "time"

// ResetTTL is how long a password-reset link stays valid.
const ResetTTL = time.Hour

// PasswordReset is a one-time token that lets its holder set a new
// password. Like a session, only a verifier of the secret is stored.
type PasswordReset struct {
	ID        string
	AccountID string
	Verifier  []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until spent
}

// NewPasswordReset creates a reset for account and returns it with the
// token to send ("<id>.<secret>").
func NewPasswordReset(accountID string, now time.Time) (PasswordReset, string, error) {
	id, secret, verifier, err := newSecret()
	if err != nil {
		return PasswordReset{}, "", err
	}
	now = now.UTC().Truncate(time.Millisecond)
	return PasswordReset{
		ID:        id,
		AccountID: accountID,
		Verifier:  verifier,
		CreatedAt: now,
		ExpiresAt: now.Add(ResetTTL),
	}, id + "." + secret, nil
}

// Check verifies secret against r at now: ErrTokenUsed if spent,
// ErrBadToken if expired or wrong.
func (r PasswordReset) Check(secret string, now time.Time) error {
	if !CheckSecret(secret, r.Verifier) {
		return ErrBadToken
	}
	if !r.UsedAt.IsZero() {
		return ErrTokenUsed
	}
	if !now.Before(r.ExpiresAt) {
		return ErrBadToken
	}
	return nil
}
