package classroom

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"
)

// SessionTTL is how long a session lasts after sign-in.
const SessionTTL = 30 * 24 * time.Hour

// SessionTouchEvery is how stale LastSeenAt may get before a request
// refreshes it (so that not every request writes).
const SessionTouchEvery = 5 * time.Minute

// Session is a signed-in browser. Its secret is known only to the browser
// (in an HTTP-only cookie); the store keeps a SHA-256 verifier of it.
type Session struct {
	ID         string // public: shown in the session list, used to revoke
	AccountID  string
	Verifier   []byte // SHA-256 of the secret
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	UserAgent  string // as sent at sign-in, truncated
	IP         string // client address at sign-in
}

// NewSession creates a session for account and returns it with the token
// to hand to the client ("<id>.<secret>").
func NewSession(accountID, userAgent, ip string, now time.Time) (Session, string, error) {
	id, secret, verifier, err := newSecret()
	if err != nil {
		return Session{}, "", err
	}
	now = now.UTC().Truncate(time.Millisecond)
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	return Session{
		ID:         id,
		AccountID:  accountID,
		Verifier:   verifier,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(SessionTTL),
		UserAgent:  strings.ToValidUTF8(userAgent, "?"),
		IP:         ip,
	}, id + "." + secret, nil
}

// Expired reports whether the session is over at now.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

// NeedsTouch reports whether LastSeenAt is stale enough to refresh.
func (s Session) NeedsTouch(now time.Time) bool {
	return now.Sub(s.LastSeenAt) >= SessionTouchEvery
}

// SplitToken splits a "<id>.<secret>" token. It does not check the secret.
func SplitToken(tok string) (id, secret string, err error) {
	id, secret, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 200 || uuid.Validate(id) != nil || len(secret) < 32 {
		return "", "", ErrBadToken
	}
	return id, secret, nil
}

// CheckSecret compares secret with a stored verifier in constant time.
func CheckSecret(secret string, verifier []byte) bool {
	sum := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(sum[:], verifier) == 1
}

// newSecret returns a random public ID, a 256-bit secret and its verifier.
func newSecret() (id, secret string, verifier []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", nil, err
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	return uuid.NewString(), secret, sum[:], nil
}
