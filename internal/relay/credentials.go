package relay

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // the TURN REST scheme is defined with HMAC-SHA1
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Credentials returns a TURN username and password for user valid until
// now+ttl, in coturn's use-auth-secret scheme: the username is
// "<unix expiry>:<user>" and the password base64(HMAC-SHA1(secret,
// username)). A ':' in user is replaced so that the expiry stays the
// first field.
func Credentials(secret []byte, user string, ttl time.Duration, now time.Time) (username, password string) {
	user = strings.ReplaceAll(user, ":", "_")
	username = strconv.FormatInt(now.Add(ttl).Unix(), 10) + ":" + user
	return username, sign(secret, username)
}

func sign(secret []byte, username string) string {
	mac := hmac.New(sha1.New, secret)
	mac.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// checkUsername returns the password of username if it is well formed
// and has not expired at now.
func checkUsername(secret []byte, username string, now time.Time) (string, bool) {
	exp, _, ok := strings.Cut(username, ":")
	if !ok {
		exp = username
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || t < now.Unix() {
		return "", false
	}
	return sign(secret, username), true
}
