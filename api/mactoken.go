package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// Stateless signed tokens, id.exp.MAC: exp in Unix seconds, and the MAC
// (HMAC-SHA256 under one purpose's key, base64url) covers id, the values
// the token is bound to and exp, so changing any of them breaks it. The
// device cookie (device.go) and the address-verification link (verify.go)
// are such tokens.

// macToken is the token for id until exp, bound to bound.
func macToken(key []byte, id string, exp int64, bound ...string) string {
	return id + "." + strconv.FormatInt(exp, 10) + "." + tokenMAC(key, id, exp, bound...)
}

// splitMACToken parses id.exp.MAC; ok is false when tok has another shape.
// The caller checks exp and then the MAC with macValid.
func splitMACToken(tok string) (id string, exp int64, mac string, ok bool) {
	id, rest, ok1 := strings.Cut(tok, ".")
	expS, mac, ok2 := strings.Cut(rest, ".")
	exp, err := strconv.ParseInt(expS, 10, 64)
	return id, exp, mac, ok1 && ok2 && err == nil
}

// macValid reports whether mac is the MAC of id, bound and exp.
func macValid(key []byte, mac, id string, exp int64, bound ...string) bool {
	return hmac.Equal([]byte(mac), []byte(tokenMAC(key, id, exp, bound...)))
}

// tokenMAC is the MAC over id|bound…|exp.
func tokenMAC(key []byte, id string, exp int64, bound ...string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "|"))
	for _, b := range bound {
		m.Write([]byte(b + "|"))
	}
	m.Write([]byte(strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
