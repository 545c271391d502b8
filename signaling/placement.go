package signaling

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
)

// Many nodes (package cluster, docs/architecture.md): each lesson is
// served by one node. A WebSocket join at another node is answered with an
// error naming the owner and the close code CloseMoved; WHIP and WHEP get
// a 307 to the owner (RFC 9725 section 4.5). A node that loses a lesson's
// lease closes its sessions with CloseMoved, and clients ask for a fresh
// join token, which names the new owner.

// Placement knows which node serves a lesson; nil: this node serves all.
type Placement interface {
	// Route returns "" if this node serves lessonID (placing it here if it
	// is nobody's and this node is chosen), otherwise the base URL of the
	// node that does.
	Route(ctx context.Context, lessonID string) (string, error)
	// Serves reports, without I/O, whether this node holds the lesson.
	Serves(lessonID string) bool
	// Ended is told of a lesson ended on this node: its owner releases
	// it, another node tells the owner.
	Ended(lessonID, by string)
	// TrustedOrigin reports whether a page from host (another node) may
	// open this node's WebSocket.
	TrustedOrigin(host string) bool
}

// CloseMoved closes a WebSocket whose lesson another node serves
// (docs/protocol.md): the client asks for a fresh join token, whose
// node_url names the owner, and joins there.
const CloseMoved = 4012

// CodeMoved is the error code (and close reason) of CloseMoved.
const CodeMoved = "moved"

// Moved is the error payload of a join at a node that does not serve
// the lesson.
type Moved struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// URL is the owner's WebSocket URL, if known.
	URL string `json:"url,omitempty"`
}

// route asks the placement where lessonID is served: "" here.
func (s *Server) route(ctx context.Context, lessonID string) (string, error) {
	if s.cfg.Placement == nil {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return s.cfg.Placement.Route(ctx, lessonID)
}

// serves reports whether this node serves lessonID (always, alone).
func (s *Server) serves(lessonID string) bool {
	return s.cfg.Placement == nil || s.cfg.Placement.Serves(lessonID)
}

// servedElsewhere reports whether another node serves lessonID, placing
// a lesson nobody serves (so that some node's sweep ends it when overdue).
func (s *Server) servedElsewhere(ctx context.Context, lessonID string) bool {
	if s.serves(lessonID) {
		return false
	}
	target, err := s.route(ctx, lessonID)
	return err != nil || target != ""
}

// movedWS answers a WebSocket join for a lesson served elsewhere (or that
// cannot be placed) and reports whether it did.
func (ss *session) movedWS(id, lessonID string) bool {
	target, err := ss.srv.route(ss.ctx, lessonID)
	if err == nil && target == "" {
		return false
	}
	m := Moved{Code: CodeMoved, Message: "the lesson is served by another node"}
	if err != nil {
		ss.log.Warn("placing the lesson", "lesson", lessonID, "err", err)
		m.Message = "the lesson has no node to serve it now; try again"
	} else {
		m.URL = wsURL(target)
	}
	ss.send(TypeError, id, m)
	ss.closeWith(CloseMoved, CodeMoved)
	return true
}

// wsURL is the /rtc URL of a node's base URL.
func wsURL(base string) string {
	if rest, ok := strings.CutPrefix(base, "https://"); ok {
		return "wss://" + rest + "/rtc"
	}
	return "ws://" + strings.TrimPrefix(base, "http://") + "/rtc"
}

// redirectHTTP sends a WHIP or WHEP request for a lesson served elsewhere
// to its owner with 307 (the method and body are kept), and reports
// whether it answered.
func (s *Server) redirectHTTP(w http.ResponseWriter, r *http.Request, lessonID string) bool {
	target, err := s.route(r.Context(), lessonID)
	if err != nil {
		s.log.Warn("placing the lesson", "lesson", lessonID, "err", err)
		w.Header().Set("Retry-After", "2")
		httpError(w, http.StatusServiceUnavailable, CodeMoved, "the lesson has no node to serve it now; try again")
		return true
	}
	if target == "" {
		return false
	}
	w.Header().Set("Location", target+r.URL.RequestURI())
	httpError(w, http.StatusTemporaryRedirect, CodeMoved, "the lesson is served by another node")
	return true
}

// acceptOptions allows pages of the other nodes to open the WebSocket.
func (s *Server) acceptOptions(r *http.Request) *websocket.AcceptOptions {
	opts := &websocket.AcceptOptions{OriginPatterns: s.cfg.OriginPatterns}
	if s.cfg.Placement == nil {
		return opts
	}
	if u, err := url.Parse(r.Header.Get("Origin")); err == nil && u.Host != "" && s.cfg.Placement.TrustedOrigin(u.Host) {
		opts.OriginPatterns = append(append([]string(nil), opts.OriginPatterns...), u.Host)
	}
	return opts
}

// Moved stops serving a lesson whose lease this node lost (package
// cluster): every WebSocket of it is closed with CloseMoved, WHIP and
// WHEP sessions end, its media room closes, and its live state is
// forgotten without being finished (the new owner restores it from the
// store; writes from here are fenced off).
func (s *Server) Moved(lessonID string) {
	s.mu.Lock()
	delete(s.chats, s.live[lessonID])
	delete(s.live, lessonID)
	s.mu.Unlock()
	for _, ss := range s.members(lessonID) {
		go ss.closeWith(CloseMoved, CodeMoved)
	}
	for _, hs := range s.whip.all() {
		if hs.lesson == lessonID {
			s.closeHTTP(hs, access.Reason(CodeMoved))
		}
	}
	if room := s.cfg.SFU.Room(lessonID); room != nil {
		go room.Close()
	}
}

// EndedElsewhere finishes a lesson that another node ended (by REST): the
// room hears lesson.status, the live state is finished and every session
// closes with CloseLessonEnded, as if it had ended here.
func (s *Server) EndedElsewhere(lessonID, by string) {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	s.broadcast(lessonID, TypeLessonStatus, LessonStatus{Status: classroom.StatusEnded, By: by})
	s.endLive(lessonID, by)
}

// bannedInStore reads a lesson's bans from its stored room state, for a
// node that does not serve it.
func (s *Server) bannedInStore(ctx context.Context, lessonID, accountID string) bool {
	rs, err := s.cfg.LiveStore.RoomState(ctx, lessonID)
	if err != nil {
		return false
	}
	return slices.Contains(rs.Banned, accountID)
}
