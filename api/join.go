package api

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/token"
)

type joinResponse struct {
	Token     string     `json:"token"`
	Lesson    lessonView `json:"lesson"`
	Role      token.Role `json:"role"`
	ExpiresAt time.Time  `json:"expires_at"`
	HLSURL    string     `json:"hls_url,omitempty"` // live HLS, for the fallback player
	H264      bool       `json:"prefer_h264,omitempty"`
}

// roleFor maps a relation to the lesson role it carries.
func roleFor(rel classroom.Relation) token.Role {
	switch rel {
	case classroom.RelationTeacher:
		return token.RoleTeacher
	case classroom.RelationAssistant:
		return token.RoleAssistant
	}
	return token.RoleStudent
}

// join issues a join token from the caller's relation to the lesson's
// course: its teacher, an assistant or an enrolled student. Anyone else
// gets 403; an ended lesson cannot be joined.
func (s *Server) join(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, course, rel, err := s.lessonFor(r, c, classroom.Relation.CanJoin)
	if err != nil {
		return err
	}
	if l.Status == classroom.StatusEnded {
		return classroom.ErrLessonEnded
	}
	if s.access != nil {
		if err := s.access.MayJoin(r.Context(), c.account, course, l, rel); err != nil {
			return err
		}
	}
	role := roleFor(rel)
	tok, err := s.signer.Issue(token.Claims{
		Lesson:      l.ID,
		User:        c.account.ID,
		Name:        truncate(c.account.DisplayName, 200),
		Role:        role,
		Permissions: token.DefaultPermissions(role),
	}, s.tokenTTL)
	if err != nil {
		return err
	}
	s.log.Info("join token issued", "lesson", l.ID, "account", c.account.ID, "role", role)
	writeJSON(w, http.StatusOK, joinResponse{Token: tok, Lesson: viewLesson(l), Role: role,
		ExpiresAt: s.now().Add(s.tokenTTL).UTC().Truncate(time.Second), HLSURL: s.hlsURL(l.ID), H264: s.h264})
	return nil
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
