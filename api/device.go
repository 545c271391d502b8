package api

import (
	"crypto/sha256"
	"net/http"
	"time"

	"github.com/lectern/lectern/token"
)

// DeviceCookieName marks a browser that proved it knows an account's
// password (or controls its mail) before. Sign-in attempts from it count
// against a bucket of their own, so strangers guessing an account's
// password cannot lock its owner out (docs/api.md, "Sign-in limits").
const DeviceCookieName = "lectern_device"

// deviceTTL is how long a browser stays known without signing in again.
const deviceTTL = 180 * 24 * time.Hour

// deviceKey derives the device cookies' HMAC key from the join-token
// signer's secret (a fixed token signed with it), so cookies survive a
// restart without another secret to keep. Should the derivation ever
// change, known browsers merely become unknown until their next sign-in.
func deviceKey(signer *token.Signer) []byte { return derivedKey(signer, "lectern-device-cookie-key") }

// derivedKey derives an HMAC key for one purpose (label) from the
// join-token signer's secret.
func derivedKey(signer *token.Signer, label string) []byte {
	tok, err := signer.Sign(token.Claims{Lesson: label, User: "lectern",
		Role: token.RoleObserver, Expires: 1})
	if err != nil {
		panic("api: deriving the " + label + ": " + err.Error())
	}
	k := sha256.Sum256([]byte(tok))
	return k[:]
}

// setDevice marks this browser as known for accountID.
func (s *Server) setDevice(w http.ResponseWriter, r *http.Request, accountID string) {
	exp := s.now().Add(deviceTTL)
	http.SetCookie(w, &http.Cookie{
		Name:     DeviceCookieName,
		Value:    macToken(s.deviceKey, accountID, exp.Unix()),
		Path:     "/api/v1/",
		Expires:  exp,
		MaxAge:   int(deviceTTL / time.Second),
		HttpOnly: true,
		Secure:   s.secure(r),
		SameSite: http.SameSiteStrictMode,
	})
}

// knownDevice reports whether r comes from a browser known for accountID.
func (s *Server) knownDevice(r *http.Request, accountID string) bool {
	if accountID == "" {
		return false
	}
	for _, c := range r.CookiesNamed(DeviceCookieName) {
		id, exp, mac, ok := splitMACToken(c.Value)
		if ok && id == accountID && s.now().Unix() < exp && macValid(s.deviceKey, mac, id, exp) {
			return true
		}
	}
	return false
}
