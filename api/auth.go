package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/publicurl"
)

// CookieName is the session cookie. CSRFHeader carries the CSRF token.
const (
	CookieName = "lectern_session"
	CSRFHeader = "X-CSRF-Token"
)

// caller is who made an authenticated request.
type caller struct {
	account classroom.Account
	session classroom.Session
	secret  string // the session secret from the cookie
}

func (c *caller) csrf() string { return csrfToken(c.secret) }

// csrfToken derives the session's CSRF token from its secret, so it needs
// no storage and cannot be computed without the HTTP-only cookie.
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("lectern csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

type (
	handler     func(w http.ResponseWriter, r *http.Request) error
	authHandler func(w http.ResponseWriter, r *http.Request, c *caller) error
)

// serve runs h under the request timeout and writes its error.
func (s *Server) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
		defer cancel()
		r = r.WithContext(ctx)
		s.finish(w, r, h(w, r))
	})
}

// public serves a handler that needs no session.
func (s *Server) public(h handler) http.Handler { return s.serve(h) }

// authed serves a handler that needs a valid session; requests that change
// state must also carry the CSRF token.
func (s *Server) authed(h authHandler) http.Handler {
	return s.serve(func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.authenticate(w, r)
		if err != nil {
			return err
		}
		if c == nil {
			return errUnauthenticated
		}
		if !safeMethod(r.Method) &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(c.csrf())) != 1 {
			return errCSRF
		}
		return h(w, r, c)
	})
}

// optional serves a read-only handler that works signed in or not; c is
// nil for anonymous callers (including a stale cookie).
func (s *Server) optional(h authHandler) http.Handler {
	return s.serve(func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.authenticate(w, r)
		if errors.Is(err, errUnauthenticated) {
			c, err = nil, nil
		}
		if err != nil {
			return err
		}
		return h(w, r, c)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// finish writes err, if any, as JSON and logs server-side failures.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		return
	}
	e, known := toError(err)
	if !known {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Cookie realm="lectern"`)
	}
	writeError(w, e)
}

// authenticate reads the session cookie. It returns (nil, nil) without a
// cookie and errUnauthenticated (clearing the cookie) for a bad one.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*caller, error) {
	ck, err := r.Cookie(CookieName)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	bad := func() (*caller, error) {
		s.clearCookie(w, r)
		return nil, errUnauthenticated
	}
	id, secret, err := classroom.SplitToken(ck.Value)
	if err != nil {
		return bad()
	}
	se, acc, err := s.store.SessionAccount(r.Context(), id)
	if errors.Is(err, classroom.ErrNotFound) {
		return bad()
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !classroom.CheckSecret(secret, se.Verifier) || se.Expired(now) || acc.Disabled() {
		return bad()
	}
	if se.NeedsTouch(now) {
		if err := s.store.TouchSession(r.Context(), se.ID, now); err != nil {
			s.log.Warn("touch session", "err", err)
		}
	}
	return &caller{account: acc, session: se, secret: secret}, nil
}

// startSession creates a session for acc and sets the cookie. A disabled
// account gets none.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, acc classroom.Account) (*caller, error) {
	if acc.Disabled() {
		return nil, &access.Denied{Reason: access.ReasonAccountDisabled, Message: access.ReasonAccountDisabled.Message()}
	}
	se, tok, err := classroom.NewSession(acc.ID, r.UserAgent(), s.clientIP(r), s.now())
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateSession(r.Context(), se); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    tok,
		Path:     "/",
		Expires:  se.ExpiresAt,
		MaxAge:   int(time.Until(se.ExpiresAt).Seconds()),
		HttpOnly: true,
		Secure:   s.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
	s.setDevice(w, r, acc.ID)
	_, secret, _ := strings.Cut(tok, ".")
	return &caller{account: acc, session: se, secret: secret}, nil
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// secure reports whether the client reached us over HTTPS.
func (s *Server) secure(r *http.Request) bool {
	if r.TLS != nil || strings.HasPrefix(s.publicURL(r), "https://") {
		return true
	}
	return s.trustedPeer(r) && r.Header.Get("X-Forwarded-Proto") == "https"
}

// Secure is secure for handlers outside this package (billing's
// cookies).
func (s *Server) Secure(r *http.Request) bool { return s.secure(r) }

// clientIP is the client's address: the TCP peer's, or behind a trusted
// proxy (TrustedProxies, or any peer under the legacy TrustProxy) the one
// X-Forwarded-For names, read as publicurl.ClientIP does for signalling.
func (s *Server) clientIP(r *http.Request) string { return s.ClientIP(r) }

// ClientIP is the client's address as clientIP gives it, for handlers
// outside this package (a payment provider that wants the payer's IP).
func (s *Server) ClientIP(r *http.Request) string {
	if s.trust {
		return publicurl.ClientIP(r, func(netip.Addr) bool { return true })
	}
	return s.urls.ClientIP(r)
}

func originOf(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return base
	}
	return u.Scheme + "://" + u.Host
}
