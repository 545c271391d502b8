package cascade

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// authHeader carries "<node id>:<unix seconds>:<hex HMAC-SHA256>".
const authHeader = "Lectern-Relay-Auth"

// maxSkew bounds how far a relay request's time may be from the origin's
// clock, both ways: clocks of nodes differ a little, replays later fail.
const maxSkew = time.Minute

// Kinds of signed request: a signature for one is refused for the other.
const (
	kindRelay     = "relay"     // the media relay (RelayPath)
	kindClassroom = "classroom" // an edge student's classroom connection
)

func mac(secret []byte, kind, lessonID, nodeID string, unix int64) string {
	h := hmac.New(sha256.New, secret)
	fmt.Fprintf(h, "lectern %s\n%s\n%s\n%d", kind, lessonID, nodeID, unix)
	return hex.EncodeToString(h.Sum(nil))
}

// sign returns the auth header value for a request of kind about
// lessonID by nodeID.
func sign(secret []byte, kind, lessonID, nodeID string, now time.Time) string {
	u := now.Unix()
	return nodeID + ":" + strconv.FormatInt(u, 10) + ":" + mac(secret, kind, lessonID, nodeID, u)
}

// ClassroomHeader signs an edge's classroom connection for one of its
// students of lessonID to the origin (signaling.Edge.UpstreamHeader).
func ClassroomHeader(secret []byte, lessonID, nodeID string) http.Header {
	return signedHeader(secret, kindClassroom, lessonID, nodeID)
}

// signedHeader is a request header signed now for kind, lessonID and
// nodeID.
func signedHeader(secret []byte, kind, lessonID, nodeID string) http.Header {
	h := http.Header{}
	h.Set(authHeader, sign(secret, kind, lessonID, nodeID, time.Now()))
	return h
}

// VerifyClassroom checks the signature of an edge's classroom connection
// for lessonID and returns the edge's node id.
func VerifyClassroom(secret []byte, r *http.Request, lessonID string) (string, error) {
	return verify(secret, kindClassroom, r, lessonID, time.Now())
}

// verify checks r's auth header of kind for lessonID and returns the
// edge's node id.
func verify(secret []byte, kind string, r *http.Request, lessonID string, now time.Time) (string, error) {
	parts := strings.Split(r.Header.Get(authHeader), ":")
	if len(parts) != 3 || parts[0] == "" {
		return "", fmt.Errorf("%w: missing or malformed %s header", ErrUnauthorized, authHeader)
	}
	u, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", fmt.Errorf("%w: bad time %q", ErrUnauthorized, parts[1])
	}
	if d := now.Sub(time.Unix(u, 0)); d > maxSkew || d < -maxSkew {
		return "", fmt.Errorf("%w: signed %s away from this node's clock", ErrUnauthorized, d.Round(time.Second))
	}
	if !hmac.Equal([]byte(parts[2]), []byte(mac(secret, kind, lessonID, parts[0], u))) {
		return "", fmt.Errorf("%w: bad signature", ErrUnauthorized)
	}
	return parts[0], nil
}
