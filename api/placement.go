package api

import (
	"context"

	"github.com/lectern/lectern/token"
)

// Router names the node that serves a lesson when several nodes share the
// database (package cluster), placing the lesson if nobody serves it.
type Router interface {
	OwnerURL(ctx context.Context, lessonID string) (string, error)
}

// Spiller is a Router that may send a big lesson's new students to an
// edge node (the cascade, package cluster).
type Spiller interface {
	JoinURL(ctx context.Context, lessonID, accountID string, student bool) (string, error)
}

// SetRouter makes the join-token answer name the lesson's node (call
// before serving).
func (s *Server) SetRouter(r Router) { s.router = r }

// nodeURL is the base URL of the lesson's node, "" on one node or when
// no node can take it now (the client then joins here and is told to ask
// again).
func (s *Server) nodeURL(ctx context.Context, lessonID, accountID string, role token.Role) string {
	if s.router == nil {
		return ""
	}
	var u string
	var err error
	if sp, ok := s.router.(Spiller); ok {
		u, err = sp.JoinURL(ctx, lessonID, accountID, role == token.RoleStudent)
	} else {
		u, err = s.router.OwnerURL(ctx, lessonID)
	}
	if err != nil {
		s.log.Warn("placing the lesson for its join token", "lesson", lessonID, "err", err)
		return ""
	}
	return u
}
