package rtmpingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Keys derives each lesson's stream key from the server's secret:
// "<lesson>.<mac>", stable for the lesson's life and shown to its teacher.
type Keys struct{ key []byte }

// NewKeys derives the stream-key key from the server's secret.
func NewKeys(secret []byte) *Keys {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("lectern rtmp stream key v1"))
	return &Keys{key: m.Sum(nil)}
}

// Key returns the stream key of a lesson.
func (k *Keys) Key(lessonID string) string {
	return lessonID + "." + base64.RawURLEncoding.EncodeToString(k.mac(lessonID))
}

// Lesson returns the lesson a stream key is for.
func (k *Keys) Lesson(key string) (string, bool) {
	lesson, sig, ok := strings.Cut(key, ".")
	if !ok || lesson == "" || len(key) > 300 {
		return "", false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, k.mac(lesson)) {
		return "", false
	}
	return lesson, true
}

func (k *Keys) mac(lessonID string) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(lessonID))
	return m.Sum(nil)[:18]
}
