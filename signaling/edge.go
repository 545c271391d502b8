package signaling

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/token"
)

// The cascade (package cluster/cascade, docs/architecture.md "Many
// nodes"): a big lesson's new students are sent to an edge node, which
// relays the lesson's media from the owner (the origin) and serves it to
// them from its own SFU. The classroom stays on the origin: for each edge
// student the edge opens one classroom connection to the origin
// (UpstreamPath, signed with the cluster's secret) and joins there with
// the student's own token, so the origin checks it, keeps the student in
// its classroom (chat, hands, polls, questions, attendance) and applies
// every permission for the student's real role. The edge forwards the
// student's classroom messages up and everything the origin sends down;
// media messages stay on the edge. When the origin closes the connection
// (the lesson ended or moved, the student was removed) the edge closes
// the student's with the same code; when the origin cannot be reached or
// the relay ends, with CloseMoved, and the client asks for a fresh join
// token as after any move.

// relayEndGrace is how long an edge student outlives the lesson's relay,
// waiting for the origin's own reason.
const relayEndGrace = time.Second

// UpstreamPath is where an origin accepts an edge's classroom connection
// of one student: UpstreamPath + lesson id.
const UpstreamPath = "/cluster/classroom/"

// Edge lets this node serve students of lessons another node owns.
type Edge interface {
	// Origin returns the base URL of lessonID's owner when this node is
	// the lesson's edge now (ok false otherwise).
	Origin(ctx context.Context, lessonID string) (originURL string, ok bool, err error)
	// Relay starts this node's relay of lessonID's media from its origin,
	// once however many students ask, and returns a channel closed when
	// that relay ends. Each successful call is paired with one Release.
	Relay(ctx context.Context, lessonID string) (<-chan struct{}, error)
	// Release says that one edge student of lessonID left.
	Release(lessonID string)
	// Unreachable says that this edge could not reach lessonID's origin:
	// it stops being the lesson's edge, so that students are sent to
	// another node.
	Unreachable(lessonID string)
	// UpstreamHeader signs an edge student's classroom connection.
	UpstreamHeader(lessonID string) http.Header
	// VerifyUpstream checks, on the origin, the signature of a classroom
	// connection of lessonID and returns the edge's node id.
	VerifyUpstream(r *http.Request, lessonID string) (string, error)
}

// edgeLocal are the message types an edge handles itself: the student's
// media is on the edge. Everything else goes to the origin.
var edgeLocal = map[string]bool{TypePublishOffer: true, TypeSubscribeAnswer: true, TypeTrickle: true,
	TypeUnpublish: true, TypeTrackSettings: true, TypeKeyframe: true}

// serveUpstream accepts an edge's classroom connection for one student
// (on the origin): an ordinary session whose media is on the edge.
func (s *Server) serveUpstream(w http.ResponseWriter, r *http.Request) {
	lesson := r.PathValue("lesson")
	edge, err := s.cfg.Edge.VerifyUpstream(r, lesson)
	if err != nil {
		httpError(w, http.StatusUnauthorized, CodeUnauthorized, err.Error())
		return
	}
	s.serveConn(w, r, func(ss *session) { ss.edgeNode, ss.edgeLesson = edge, lesson })
}

// canEdge reports whether this node should serve a student's join of a
// lesson another node owns as its edge, and the origin's URL.
func (ss *session) canEdge(c token.Claims) (string, bool) {
	s := ss.srv
	if s.cfg.Edge == nil || ss.edgeNode != "" || c.Role != token.RoleStudent || c.Permissions.Publish || s.serves(c.Lesson) {
		return "", false
	}
	ctx, cancel := context.WithTimeout(ss.ctx, 5*time.Second)
	defer cancel()
	origin, ok, err := s.cfg.Edge.Origin(ctx, c.Lesson)
	if err != nil {
		ss.log.Warn("asking whether this node is the lesson's edge", "lesson", c.Lesson, "err", err)
	}
	return origin, ok && err == nil
}

// edgeFailed answers a join this edge could not serve with "moved" and
// no URL: the client asks for a fresh join token. When the origin was out
// of reach (lost, not false), the edge gives the lesson up first.
func (ss *session) edgeFailed(id, lesson string, lost bool, err error) {
	ss.log.Warn("edge join failed", "lesson", lesson, "err", err)
	if lost {
		ss.srv.cfg.Edge.Unreachable(lesson)
	}
	ss.send(TypeError, id, Moved{Code: CodeMoved, Message: "the lesson's edge cannot reach its origin now; try again"})
	ss.closeWith(CloseMoved, CodeMoved)
}

// joinEdge joins a student at this edge: the relay of the lesson's media
// is started (once per lesson), the student joins the origin's classroom
// over its own upstream connection and the edge's SFU room for media.
func (ss *session) joinEdge(env Envelope, req JoinRequest, claims token.Claims, d access.Decision, originURL string) error {
	s, lesson := ss.srv, claims.Lesson
	release, ok := ss.acquire(env.ID, req.Token, claims.User)
	if !ok {
		return nil
	}
	relayDone, err := s.cfg.Edge.Relay(ss.ctx, lesson)
	if err != nil {
		release()
		ss.edgeFailed(env.ID, lesson, true, err)
		return nil
	}
	unlimit := func() { release(); s.cfg.Edge.Release(lesson) }
	up, first, err := dialUpstream(ss.ctx, originURL, lesson, s.cfg.Edge.UpstreamHeader(lesson), env)
	if err != nil {
		unlimit()
		ss.edgeFailed(env.ID, lesson, true, err)
		return nil
	}
	var reply Envelope
	if json.Unmarshal(first, &reply) != nil || reply.Type != TypeJoined {
		// Refused by the origin (a bad token, a removal, a ban, an ended
		// lesson): the student hears its answer and its close code.
		unlimit()
		ss.sendFrame(rawFrame(first), time.Now())
		ctx, cancel := context.WithTimeout(ss.ctx, 5*time.Second)
		_, _, err := up.Read(ctx)
		cancel()
		_ = up.CloseNow()
		code, reason := upstreamClose(err)
		ss.closeWith(code, reason)
		return nil
	}
	var j Joined
	if err := json.Unmarshal(reply.Payload, &j); err != nil || j.Participant.ID == "" {
		unlimit()
		_ = up.CloseNow()
		ss.edgeFailed(env.ID, lesson, false, errors.New("the origin's joined answer is unreadable"))
		return nil
	}
	ss.log = s.log.With("lesson", lesson, "participant", j.Participant.ID, "edge", true)
	ss.calls.hold()
	defer ss.calls.release()
	part, err := s.cfg.SFU.Join(lesson, sfu.ParticipantConfig{ID: j.Participant.ID, Subscribe: claims.Permissions.Subscribe,
		Listener: ss, Priority: priority(claims.Role)})
	if err != nil {
		unlimit()
		_ = up.Close(websocket.StatusNormalClosure, "")
		ss.edgeFailed(env.ID, lesson, false, err)
		return nil
	}
	// Joined: from here finish ends it as an edge session (finishEdge).
	ss.claims, ss.pid, ss.lesson = claims, j.Participant.ID, lesson
	ss.gate = gateOf(claims, access.DoorWebSocket, d)
	ss.part, ss.up, ss.unlimit = part, up, unlimit
	ss.joined.Store(true)
	j.Tracks = []sfu.TrackInfo{}
	for _, t := range part.Room().Tracks() {
		j.Tracks = append(j.Tracks, t.Info())
	}
	j.ICEServers = s.iceServers(claims.User)
	ss.send(TypeJoined, env.ID, j)
	s.wg.Add(1)
	go ss.pumpDown(relayDone)
	ss.log.Info("joined at the edge", "origin", originURL)
	return nil
}

// dialUpstream opens a student's classroom connection to the origin and
// sends the student's join; it returns the origin's first answer.
func dialUpstream(ctx context.Context, originURL, lesson string, h http.Header, join Envelope) (*websocket.Conn, []byte, error) {
	u := "ws" + strings.TrimPrefix(strings.TrimSuffix(originURL, "/"), "http") + UpstreamPath + lesson
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	up, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, nil, err
	}
	up.SetReadLimit(4 << 20) // a joined answer carries the classroom's state
	frame, _ := json.Marshal(join)
	if err := up.Write(ctx, websocket.MessageText, frame); err != nil {
		_ = up.CloseNow()
		return nil, nil, err
	}
	_, first, err := up.Read(ctx)
	if err != nil {
		_ = up.CloseNow()
		return nil, nil, err
	}
	return up, first, nil
}

// upstreamClose is the close code and reason an edge student gets when
// its classroom connection to the origin ended with err: the origin's own
// (a lesson ended or moved, a removal, a normal close), or CloseMoved when
// the origin went away without one.
func upstreamClose(err error) (websocket.StatusCode, string) {
	var ce websocket.CloseError
	if errors.As(err, &ce) && (ce.Code >= 4000 || ce.Code == websocket.StatusNormalClosure) {
		return ce.Code, ce.Reason
	}
	return CloseMoved, CodeMoved
}

// forwardUp sends a student's classroom message to the origin.
func (ss *session) forwardUp(data []byte) {
	ctx, cancel := context.WithTimeout(ss.ctx, writeTimeout)
	defer cancel()
	if err := ss.up.Write(ctx, websocket.MessageText, data); err != nil && ss.ctx.Err() == nil {
		ss.log.Warn("origin unreachable", "err", err)
		// Not on the read loop, which the close waits for; the server's
		// shutdown waits for it.
		ss.srv.wg.Go(func() { ss.closeWith(CloseMoved, CodeMoved) })
	}
}

// pumpDown delivers what the origin sends to the student until the
// upstream connection or the media relay ends.
func (ss *session) pumpDown(relayDone <-chan struct{}) {
	defer ss.srv.wg.Done()
	// The relay's watcher; the server's shutdown waits for it (it ends
	// with the session).
	ss.srv.wg.Go(func() {
		select {
		case <-relayDone:
		case <-ss.ctx.Done():
			return
		}
		// The origin's own close (the lesson ended: 4011) is on its way
		// when its room's end ended the relay: it wins if it comes soon.
		select {
		case <-ss.ctx.Done():
		case <-time.After(relayEndGrace):
			ss.log.Info("the lesson's relay ended: the student is sent back")
			ss.closeWith(CloseMoved, CodeMoved)
		}
	})
	for {
		typ, frame, err := readFrame(ss.ctx, ss.up)
		if err != nil {
			if ss.ctx.Err() == nil {
				code, reason := upstreamClose(err)
				ss.closeWith(code, reason)
			}
			return
		}
		if typ == websocket.MessageText {
			ss.sendFrame(frame, time.Now())
		}
	}
}

// readFrame reads c's next message into a text frame (rawFrame) without
// a copy: the message is read after the room its header needs.
func readFrame(ctx context.Context, c *websocket.Conn) (websocket.MessageType, []byte, error) {
	typ, r, err := c.Reader(ctx)
	if err != nil {
		return 0, nil, err
	}
	b := bytes.NewBuffer(make([]byte, maxFrameHeader, maxFrameHeader+bytes.MinRead))
	if _, err := b.ReadFrom(r); err != nil {
		return 0, nil, err
	}
	return typ, textFrame(b.Bytes()), nil
}

// finishEdge ends an edge student's session: its media and its classroom
// connection (the origin then applies its leave, or its departure).
func (ss *session) finishEdge() {
	ss.srv.mu.Lock()
	delete(ss.srv.sessions, ss)
	ss.srv.mu.Unlock()
	ss.part.Close()
	_ = ss.up.Close(websocket.StatusNormalClosure, "")
	ss.log.Info("disconnected from the edge", "departed", ss.departed.Load())
}
