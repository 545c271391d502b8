package signaling

import (
	"context"
	"errors"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/token"
)

// AccessPolicy is the one access policy (package access), asked at every
// door: the WebSocket join and resume, WHIP and WHEP, and again for
// connections already open whenever access may have changed.
type AccessPolicy interface {
	Decide(ctx context.Context, accountID, lessonID string, door access.Door) (access.Decision, error)
	DecideOperator(ctx context.Context, userID, lessonID string, door access.Door) (access.Decision, error)
}

// closeFor is the WebSocket close code of a denial (docs/protocol.md).
func closeFor(r access.Reason) websocket.StatusCode {
	switch r {
	case access.ReasonLessonEnded:
		return CloseLessonEnded
	case access.ReasonBanned:
		return CloseRemoved
	case access.ReasonUnauthenticated, access.ReasonRoleChanged:
		return CloseUnauthorized
	}
	return CloseAccessEnded
}

// admit asks the policy whether the holder of claims may pass door. An
// operator's token names no account (token.Claims.Operator); otherwise
// the token's role must still be the account's. Without a policy (tests)
// only the lesson's end, as this server knows it, applies.
func (s *Server) admit(ctx context.Context, c token.Claims, door access.Door) (access.Decision, error) {
	var (
		d   access.Decision
		err error
	)
	switch {
	case s.cfg.Access == nil:
	case c.Operator:
		d, err = s.cfg.Access.DecideOperator(ctx, c.User, c.Lesson, door)
	default:
		d, err = s.cfg.Access.Decide(ctx, c.User, c.Lesson, door)
		if err == nil && d.Allowed() && d.Role != c.Role {
			d.Reason = access.ReasonRoleChanged
		}
	}
	if err != nil {
		return d, err
	}
	if d.Allowed() && s.hasEnded(c.Lesson) {
		d.Reason = access.ReasonLessonEnded
	}
	return d, nil
}

// Banned implements access.Bans from the live classroom: the lesson's
// live state is restored (bans included) if nobody is in it.
func (s *Server) Banned(ctx context.Context, lessonID, accountID string) bool {
	if !s.serves(lessonID) {
		return s.bannedInStore(ctx, lessonID, accountID)
	}
	l, err := s.lessonFor(lessonID)
	if err != nil {
		return false // ended: the lesson's status answers
	}
	return l.Banned(accountID)
}

// AccessChanged implements the billing and API listeners: accountID's
// access to courseID ("" for every course) may have changed, so each of
// its open WebSocket, WHIP and WHEP sessions is asked again and those
// now denied are closed with the reason. It returns at once.
func (s *Server) AccessChanged(accountID, courseID string) {
	s.goAsync(func() {
		s.recheck(func(g gate) bool {
			return !g.operator && g.user == accountID && (courseID == "" || g.course == courseID || g.course == "")
		})
	})
}

// gate is what an open session passed through: enough to ask again.
type gate struct {
	claims   token.Claims
	door     access.Door
	user     string
	course   string // the lesson's course, from the decision ("" if unknown)
	operator bool
}

func gateOf(c token.Claims, door access.Door, d access.Decision) gate {
	return gate{claims: c, door: door, user: c.User, course: d.Course.ID, operator: c.Operator}
}

// recheck asks the policy again for every open session that match
// selects, and cuts those it now denies.
func (s *Server) recheck(match func(gate) bool) {
	type pending struct {
		g   gate
		cut func(access.Reason)
	}
	var list []pending
	s.mu.Lock()
	for ss := range s.sessions {
		if ss.joined.Load() && match(ss.gate) {
			list = append(list, pending{ss.gate, ss.cut})
		}
	}
	s.mu.Unlock()
	for _, hs := range s.whip.all() {
		if match(hs.gate) {
			list = append(list, pending{hs.gate, func(r access.Reason) { s.closeHTTP(hs, r) }})
		}
	}
	for _, p := range list {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		d, err := s.admit(ctx, p.g.claims, p.g.door)
		cancel()
		if err != nil {
			s.log.Warn("access recheck failed; the session stays", "user", p.g.user, "err", err)
			continue
		}
		if !d.Allowed() {
			s.log.Info("access ended; closing", "user", p.g.user, "lesson", p.g.claims.Lesson, "door", p.g.door, "reason", d.Reason)
			p.cut(d.Reason)
		}
	}
}

// errEnded is returned by lessonFor for a lesson that has ended.
var errEnded = errors.New("signaling: the lesson has ended")
