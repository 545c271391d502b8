package content

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Grant is what a signed material URL allows: one account to read one
// material, inline or as a download, until Expires; through Lesson when
// the material is read as part of that lesson (slides it presented), ""
// otherwise.
type Grant struct {
	MaterialID string
	AccountID  string
	Lesson     string
	Download   bool
	Expires    time.Time
}

// URLSigner signs and checks material URLs' query strings with HMAC-SHA256
// under a key derived from the server's secret.
type URLSigner struct {
	key []byte
}

// NewURLSigner derives the URL key from secret.
func NewURLSigner(secret []byte) *URLSigner {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("lectern material url v1"))
	return &URLSigner{key: m.Sum(nil)}
}

func (s *URLSigner) mac(g Grant) []byte {
	m := hmac.New(sha256.New, s.key)
	dl := "0"
	if g.Download {
		dl = "1"
	}
	fmt.Fprintf(m, "%s\n%s\n%s\n%d\n%s", g.MaterialID, g.AccountID, dl, g.Expires.Unix(), g.Lesson)
	return m.Sum(nil)
}

// Query returns the signed query string of g (a, l, dl, exp, sig).
func (s *URLSigner) Query(g Grant) url.Values {
	q := url.Values{}
	q.Set("a", g.AccountID)
	if g.Lesson != "" {
		q.Set("l", g.Lesson)
	}
	if g.Download {
		q.Set("dl", "1")
	}
	q.Set("exp", strconv.FormatInt(g.Expires.Unix(), 10))
	q.Set("sig", base64.RawURLEncoding.EncodeToString(s.mac(g)))
	return q
}

// Verify checks q, the query of a URL for materialID, at now. It returns
// the grant, or ErrBadSignature for a missing, forged or expired one.
func (s *URLSigner) Verify(materialID string, q url.Values, now time.Time) (Grant, error) {
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	if err != nil {
		return Grant{}, fmt.Errorf("%w: no expiry", ErrBadSignature)
	}
	g := Grant{MaterialID: materialID, AccountID: q.Get("a"), Lesson: q.Get("l"), Download: q.Get("dl") == "1",
		Expires: time.Unix(exp, 0)}
	sig, err := base64.RawURLEncoding.DecodeString(q.Get("sig"))
	if err != nil || !hmac.Equal(sig, s.mac(g)) {
		return Grant{}, fmt.Errorf("%w: bad signature", ErrBadSignature)
	}
	if !now.Before(g.Expires) {
		return Grant{}, fmt.Errorf("%w: expired at %s", ErrBadSignature, g.Expires.UTC().Format(time.RFC3339))
	}
	return g, nil
}
