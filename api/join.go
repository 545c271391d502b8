package api

import (
	"context"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/token"
)

type joinResponse struct {
	Token     string     `json:"token"`
	Lesson    lessonView `json:"lesson"`
	Role      token.Role `json:"role"`
	ExpiresAt time.Time  `json:"expires_at"`
	// RenewAfter is when the client should ask for a fresh token
	// (half the lifetime), as long as the lesson is open.
	RenewAfter time.Time `json:"renew_after"`
	HLSURL     string    `json:"hls_url,omitempty"` // live HLS, for the fallback player
	H264       bool      `json:"prefer_h264,omitempty"`
	// NodeURL is the base URL of the node serving the lesson, on a
	// cluster of nodes (placement.go); the client opens its WebSocket there.
	NodeURL string `json:"node_url,omitempty"`
}

// join issues a short-lived join token if the access policy lets the
// caller in (package access: relation, entitlement, ban, account, lesson
// status). Calling it again renews the token; the policy is asked every
// time.
func (s *Server) join(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if uuid.Validate(id) != nil {
		return classroom.ErrNotFound
	}
	d, err := s.doors.Decide(r.Context(), c.account.ID, id, access.DoorToken)
	if err != nil {
		return err
	}
	if err := d.Err(); err != nil {
		return err
	}
	now := s.now()
	tok, err := s.signer.Issue(token.Claims{
		Lesson:      d.Lesson.ID,
		User:        c.account.ID,
		Name:        truncate(c.account.DisplayName, 200),
		Role:        d.Role,
		Permissions: token.DefaultPermissions(d.Role),
	}, s.tokenTTL)
	if err != nil {
		return err
	}
	s.log.Info("join token issued", "lesson", d.Lesson.ID, "account", c.account.ID, "role", d.Role)
	writeJSON(w, http.StatusOK, joinResponse{Token: tok, Lesson: viewLesson(d.Lesson), Role: d.Role,
		ExpiresAt:  now.Add(s.tokenTTL).UTC().Truncate(time.Second),
		RenewAfter: now.Add(s.tokenTTL / 2).UTC().Truncate(time.Second),
		HLSURL:     s.hlsURL(d.Lesson.ID, c.account.ID), H264: s.h264, NodeURL: s.nodeURL(r.Context(), d.Lesson.ID, c.account.ID, d.Role)})
	return nil
}

// storeLife is the LessonLife of an API without signalling: the status
// is only written to the store.
type storeLife struct {
	st  classroom.LessonWriter
	now func() time.Time
}

func (l storeLife) SetLessonStatus(ctx context.Context, lessonID string, next classroom.Status, _ string, news *classroom.LessonNews) (classroom.Lesson, error) {
	les, _, err := classroom.Transition(ctx, l.st, lessonID, next, l.now(), news)
	return les, err
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
