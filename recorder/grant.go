package recorder

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Grants signs and checks the short access parameter of HLS and recording
// URLs: the lesson and an expiry under HMAC-SHA256 with a key of its own
// (derived from the server's secret), so a grant is never a join token.
type Grants struct {
	key []byte
	now func() time.Time
}

// NewGrants derives the grant key from the server's secret.
func NewGrants(secret []byte) *Grants {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("lectern hls access grant v1"))
	return &Grants{key: m.Sum(nil), now: time.Now}
}

// Issue returns a grant to lessonID valid for ttl: "<unix expiry>.<mac>".
func (g *Grants) Issue(lessonID string, ttl time.Duration) string {
	exp := strconv.FormatInt(g.now().Add(ttl).Unix(), 10)
	return exp + "." + base64.RawURLEncoding.EncodeToString(g.mac(lessonID, exp))
}

// Verify checks a grant for lessonID.
func (g *Grants) Verify(lessonID, grant string) error {
	exp, sig, ok := strings.Cut(grant, ".")
	if !ok || len(grant) > 100 {
		return ErrForbidden
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, g.mac(lessonID, exp)) {
		return ErrForbidden
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || g.now().Unix() >= n {
		return ErrForbidden
	}
	return nil
}

func (g *Grants) mac(lessonID, exp string) []byte {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(lessonID + "\x00" + exp))
	return m.Sum(nil)
}

// Authorizer decides whether a request may read a lesson's HLS stream or
// recordings. The access policy replaces it at merge.
type Authorizer interface {
	AuthorizeHLS(r *http.Request, lessonID string) error
}

// TokenVerifier checks a join token and returns the lesson it is for.
type TokenVerifier interface {
	LessonOf(tok string) (string, error)
}

// GrantAuthorizer accepts a valid grant (?access=) for the lesson, or a
// join token (?token=) for the lesson.
type GrantAuthorizer struct {
	Grants *Grants
	Tokens TokenVerifier // nil: grants only
}

// AuthorizeHLS implements Authorizer.
func (a GrantAuthorizer) AuthorizeHLS(r *http.Request, lessonID string) error {
	q := r.URL.Query()
	if g := q.Get("access"); g != "" && a.Grants != nil {
		return a.Grants.Verify(lessonID, g)
	}
	if tok := q.Get("token"); tok != "" && a.Tokens != nil {
		if l, err := a.Tokens.LessonOf(tok); err == nil && l == lessonID {
			return nil
		}
	}
	return ErrForbidden
}
