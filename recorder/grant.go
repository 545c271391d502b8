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

// Issue returns a grant to scope valid for ttl that names no account.
func (g *Grants) Issue(scope string, ttl time.Duration) string { return g.IssueFor(scope, "", ttl) }

// IssueFor returns a grant to scope for the account subject (an account
// id, or "") valid for ttl: "<unix expiry>.<subject>.<mac>". A grant that
// names its account lets the server ask the access policy again while it
// is used (GrantAuthorizer.Recheck), so a refund or a ban ends it at once.
func (g *Grants) IssueFor(scope, subject string, ttl time.Duration) string {
	exp := strconv.FormatInt(g.now().Add(ttl).Unix(), 10)
	return exp + "." + subject + "." + base64.RawURLEncoding.EncodeToString(g.mac(scope, subject, exp))
}

// Verify checks a grant for scope.
func (g *Grants) Verify(scope, grant string) error {
	_, err := g.Check(scope, grant)
	return err
}

// Check verifies a grant for scope and returns the account it names ("":
// none).
func (g *Grants) Check(scope, grant string) (string, error) {
	if len(grant) > 160 {
		return "", ErrForbidden
	}
	exp, rest, ok := strings.Cut(grant, ".")
	if !ok {
		return "", ErrForbidden
	}
	subject, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return "", ErrForbidden
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, g.mac(scope, subject, exp)) {
		return "", ErrForbidden
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || g.now().Unix() >= n {
		return "", ErrForbidden
	}
	return subject, nil
}

func (g *Grants) mac(scope, subject, exp string) []byte {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(scope + "\x00" + subject + "\x00" + exp))
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
	// Recheck, when set, asks the access policy again about the account
	// a grant names, on every playlist request (players reload it every
	// few seconds; segments are useless without it), so that losing
	// access ends playback within seconds, not when the grant expires.
	Recheck func(r *http.Request, scope, subject string) error
}

// AuthorizeHLS implements Authorizer.
func (a GrantAuthorizer) AuthorizeHLS(r *http.Request, lessonID string) error {
	q := r.URL.Query()
	if g := q.Get("access"); g != "" && a.Grants != nil {
		subject, err := a.Grants.Check(lessonID, g)
		if err != nil || subject == "" || a.Recheck == nil || !strings.HasSuffix(r.URL.Path, ".m3u8") {
			return err
		}
		if a.Recheck(r, lessonID, subject) != nil {
			return ErrForbidden
		}
		return nil
	}
	if tok := q.Get("token"); tok != "" && a.Tokens != nil {
		if l, err := a.Tokens.LessonOf(tok); err == nil && l == lessonID {
			return nil
		}
	}
	return ErrForbidden
}
