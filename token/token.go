package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is a participant's role in a lesson.
type Role string

// The roles a join token may carry.
const (
	RoleTeacher   Role = "teacher"
	RoleAssistant Role = "assistant"
	RoleStudent   Role = "student"
	RoleObserver  Role = "observer"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleTeacher, RoleAssistant, RoleStudent, RoleObserver:
		return true
	}
	return false
}

// Moderator reports whether r may run the room (teacher or assistant).
func (r Role) Moderator() bool { return r == RoleTeacher || r == RoleAssistant }

// Permissions say what a token's holder may do with media and chat.
type Permissions struct {
	Publish   bool `json:"publish"`
	Subscribe bool `json:"subscribe"`
	Chat      bool `json:"chat"`
}

// DefaultPermissions returns the permissions a role gets unless told
// otherwise: teachers and assistants publish; students subscribe and chat;
// observers only watch.
func DefaultPermissions(r Role) Permissions {
	switch r {
	case RoleTeacher, RoleAssistant:
		return Permissions{Publish: true, Subscribe: true, Chat: true}
	case RoleStudent:
		return Permissions{Subscribe: true, Chat: true}
	default:
		return Permissions{Subscribe: true}
	}
}

// Claims is what a join token asserts.
type Claims struct {
	Lesson      string      `json:"lesson"`
	User        string      `json:"sub"`
	Name        string      `json:"name"`
	Role        Role        `json:"role"`
	Permissions Permissions `json:"perms"`
	IssuedAt    int64       `json:"iat"`
	Expires     int64       `json:"exp"`
	// Operator marks a token made by whoever holds the server's secret
	// (`lectern token create`, the --dev demo links) rather than issued
	// to a signed-in account: User names no account, so only the
	// lesson's status and bans apply to it (package access).
	Operator bool `json:"op,omitempty"`
}

// Errors returned by Verify.
var (
	ErrMalformed = errors.New("token: malformed")
	ErrSignature = errors.New("token: bad signature")
	ErrExpired   = errors.New("token: expired")
	ErrInvalid   = errors.New("token: invalid claims")
)

// MinSecretLen is the shortest secret a Signer accepts.
const MinSecretLen = 32

// Signer signs and verifies tokens with one secret.
type Signer struct {
	secret []byte
	now    func() time.Time
}

// NewSigner returns a Signer for secret, which must be at least
// MinSecretLen bytes.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("token: secret must be at least %d bytes", MinSecretLen)
	}
	return &Signer{secret: append([]byte(nil), secret...), now: time.Now}, nil
}

// Issue fills IssuedAt and Expires (from ttl) and returns the signed token.
func (s *Signer) Issue(c Claims, ttl time.Duration) (string, error) {
	now := s.now()
	c.IssuedAt = now.Unix()
	c.Expires = now.Add(ttl).Unix()
	return s.Sign(c)
}

// Sign returns the signed token for c as given.
func (s *Signer) Sign(c Claims) (string, error) {
	if err := c.validate(); err != nil {
		return "", err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	payload := enc.EncodeToString(body)
	return payload + "." + enc.EncodeToString(s.mac(payload)), nil
}

// Verify checks the signature and expiry of tok and returns its claims.
func (s *Signer) Verify(tok string) (Claims, error) {
	var c Claims
	payload, sig, ok := strings.Cut(tok, ".")
	if !ok || payload == "" || sig == "" || len(tok) > 4096 {
		return c, ErrMalformed
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return c, ErrMalformed
	}
	if !hmac.Equal(got, s.mac(payload)) {
		return c, ErrSignature
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return c, ErrMalformed
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, ErrMalformed
	}
	if err := c.validate(); err != nil {
		return c, err
	}
	if s.now().Unix() >= c.Expires {
		return c, ErrExpired
	}
	return c, nil
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

func (c Claims) validate() error {
	switch {
	case c.Lesson == "" || len(c.Lesson) > 128:
		return fmt.Errorf("%w: lesson", ErrInvalid)
	case c.User == "" || len(c.User) > 128:
		return fmt.Errorf("%w: user", ErrInvalid)
	case len(c.Name) > 200:
		return fmt.Errorf("%w: name", ErrInvalid)
	case !c.Role.Valid():
		return fmt.Errorf("%w: role %q", ErrInvalid, c.Role)
	case c.Expires == 0:
		return fmt.Errorf("%w: expiry", ErrInvalid)
	}
	return nil
}
