package api

import "context"

// Router names the node that serves a lesson when several nodes share the
// database (package cluster), placing the lesson if nobody serves it.
type Router interface {
	OwnerURL(ctx context.Context, lessonID string) (string, error)
}

// SetRouter makes the join-token answer name the lesson's node (call
// before serving).
func (s *Server) SetRouter(r Router) { s.router = r }

// nodeURL is the base URL of the lesson's node, "" on one node or when
// no node can take it now (the client then joins here and is told to ask
// again).
func (s *Server) nodeURL(ctx context.Context, lessonID string) string {
	if s.router == nil {
		return ""
	}
	u, err := s.router.OwnerURL(ctx, lessonID)
	if err != nil {
		s.log.Warn("placing the lesson for its join token", "lesson", lessonID, "err", err)
		return ""
	}
	return u
}
