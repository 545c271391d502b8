package signaling

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// session is one client's WebSocket.
type session struct {
	srv    *Server
	conn   *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger
	out    *outbox
	wire   *wireConn // the connection under conn, set by Accept
	idle   *time.Timer
	slow   atomic.Bool // the client was found too slow (logged once)

	connID string // this connection's id, fresh per WebSocket
	addr   string // the client's address, for the session limits

	// Set once by join before joined is set, read-only afterwards.
	gate    gate
	joined  atomic.Bool
	unlimit func() // gives back the session-limit slot; nil before join

	// Set once by join, read-only afterwards.
	claims token.Claims
	pid    string
	lesson string
	part   *sfu.Participant
	live   *live.Lesson
	grade  qualityGrade // connection grade shown to moderators (quality.go)

	departed atomic.Bool // left on purpose: no reconnection grace

	// On an origin, a classroom connection from an edge node (edge.go)
	// for one of its students of edgeLesson: no media here. Set at
	// accept.
	edgeNode, edgeLesson string
	// On an edge, the student's classroom connection to the lesson's
	// origin (edge.go); set by joinEdge.
	up *websocket.Conn

	closeOnce sync.Once

	// calls are the SFU's listener calls, run on the write loop.
	calls *callQueue

	// Used by the write loop only: a batch's frames, and what of them is
	// still to write.
	bufs, wv net.Buffers
}

// emit queues f to run on the session's own goroutine, after joined has
// been sent.
func (ss *session) emit(f func()) { ss.calls.add(f) }

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) { s.serveConn(w, r, nil) }

// serveConn serves one WebSocket; setup (may be nil) marks the session
// before it reads anything.
func (s *Server) serveConn(w http.ResponseWriter, r *http.Request, setup func(*session)) {
	ww := &wireWriter{ResponseWriter: w}
	conn, err := websocket.Accept(ww, r, s.acceptOptions(r))
	if err != nil {
		return // Accept has written the HTTP error
	}
	conn.SetReadLimit(MaxMessageSize)
	ctx, cancel := context.WithCancel(context.Background())
	ss := &session{srv: s, conn: conn, wire: ww.conn, ctx: ctx, cancel: cancel, log: s.log, out: newOutbox(), calls: newCallQueue(),
		connID: newSessionID(), addr: s.cfg.ClientAddr(r)}
	if setup != nil {
		setup(ss)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = conn.Close(1001, "server shutting down")
		cancel()
		return
	}
	s.sessions[ss] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	go ss.writeLoop()
	ss.readLoop() // on the handler's goroutine
}

func (ss *session) readLoop() {
	defer ss.srv.wg.Done()
	defer ss.finish()
	defer func() {
		if v := recover(); v != nil {
			ss.log.Error("panic in signalling session", "panic", v, "stack", string(debug.Stack()))
			ss.closeWith(websocket.StatusInternalError, "internal error")
		}
	}()
	// A read context that expires would make the library close the
	// connection with its own status, so idleness has its own timer.
	ss.idle = time.AfterFunc(ss.srv.cfg.IdleTimeout, func() { ss.closeWith(CloseIdle, "idle") })
	defer ss.idle.Stop()
	for {
		typ, data, err := ss.conn.Read(ss.ctx)
		if err != nil {
			return
		}
		ss.idle.Reset(ss.srv.cfg.IdleTimeout)
		if typ != websocket.MessageText {
			ss.sendError("", errorf(CodeBadRequest, "frames must be JSON text"))
			continue
		}
		ss.handle(data)
	}
}

// writeLoop runs the SFU's queued calls and writes queued frames: each
// turn sends every frame waiting (up to maxBatch bytes) with one write, so
// that a client that fell behind during a fan-out catches up in a few
// system calls.
func (ss *session) writeLoop() {
	defer ss.srv.wg.Done()
	defer ss.calls.stop()
	var batch []outFrame
	for {
		select {
		case <-ss.ctx.Done():
			return
		case <-ss.calls.ready:
			ss.calls.run()
			continue
		case <-ss.out.ready:
		}
		batch = ss.out.take(batch[:0])
		ok := ss.writeBatch(batch)
		if len(batch) > 0 {
			ss.out.done()
		}
		if !ok {
			ss.cancel()
			return
		}
		clear(batch)
		if cap(batch) > 64 {
			batch, ss.bufs = nil, nil // a backlog's arrays go with it
		}
	}
}

// writeBatch writes frames and performs a close among them; false when
// the session must end.
func (ss *session) writeBatch(frames []outFrame) bool {
	bufs := ss.bufs[:0]
	ok := true
	for _, f := range frames {
		if f.close {
			ok = false
			if len(bufs) > 0 && ss.writeFrames(bufs) != nil {
				break
			}
			_ = ss.conn.Close(f.code, f.reason) // the close handshake has its own limit
			break
		}
		bufs = append(bufs, f.data)
	}
	if ok {
		ok = ss.writeFrames(bufs) == nil
	}
	clear(bufs) // the frames are shared with other sessions' queues: hold none
	ss.bufs = bufs[:0]
	return ok
}

// writeFrames writes whole frames with one system call where it can.
func (ss *session) writeFrames(bufs net.Buffers) error {
	ss.wv = bufs // consumed by the write
	err := ss.wire.writeFrames(&ss.wv)
	ss.wv = nil
	return err
}

// send queues one frame; a client too slow to drain its queue is
// disconnected rather than allowed to hold anyone up.
func (ss *session) send(typ, id string, payload any) {
	frame, err := encodeFrame(typ, id, payload)
	if err != nil {
		ss.log.Error("marshal", "type", typ, "err", err)
		return
	}
	ss.sendFrame(frame, time.Now())
}

// sendFrame sends a frame (encodeFrame; shared by every recipient of an
// event, so that a message to 500 students is encoded once), made at at:
// written now if nothing waits before it and the socket takes it
// (wire.go), else queued for the write loop.
func (ss *session) sendFrame(frame []byte, at time.Time) { ss.deliver(frame, at, true) }

// queueFrame queues a frame for the write loop, which sends all that
// waits with one writev: for a fan-out of several frames to each
// recipient (a batch of chat messages), where writing each at once would
// cost a system call per frame per recipient on the fan-out's goroutine.
func (ss *session) queueFrame(frame []byte, at time.Time) { ss.deliver(frame, at, false) }

func (ss *session) deliver(frame []byte, at time.Time, direct bool) {
	if direct && ss.out.claim() {
		n := ss.wire.tryWrite(frame)
		if n > 0 {
			ss.out.done()
			if n < len(frame) {
				ss.out.wake() // the write loop sends the rest
			}
			return
		}
		ok := ss.out.push(outFrame{data: frame, at: at}) // still claimed: nothing can go before it
		ss.out.done()
		if ok {
			return
		}
	} else if ss.out.push(outFrame{data: frame, at: at}) {
		return
	}
	if ss.slow.CompareAndSwap(false, true) {
		ss.log.Warn("client too slow, disconnecting", "participant", ss.pid, "behind", maxLag)
		go ss.closeNow(websocket.StatusPolicyViolation, "too slow")
	}
}

func (ss *session) sendError(id string, e *Error) { ss.send(TypeError, id, e) }

// closeWith closes the WebSocket with a status and reason, once, after
// the frames queued before it (an error explaining the close).
func (ss *session) closeWith(code websocket.StatusCode, reason string) {
	ss.closeOnce.Do(func() {
		if !ss.out.push(outFrame{close: true, code: code, reason: reason, at: time.Now()}) {
			ss.abort()
			return
		}
		select {
		case <-ss.ctx.Done():
		case <-time.After(writeTimeout + 6*time.Second): // the close handshake's own limit is 5 s
			ss.abort()
		}
	})
}

// closeNow closes the WebSocket with a status and reason, once, without
// waiting for the frames queued (a client too slow to read them).
func (ss *session) closeNow(code websocket.StatusCode, reason string) {
	ss.closeOnce.Do(func() {
		ss.cancel() // the write loop stops; the close frame goes alone
		_ = ss.conn.Close(code, reason)
		ss.abort()
	})
}

func (ss *session) abort() {
	_ = ss.conn.CloseNow()
	ss.cancel()
}

// cut closes the session because access ended, with the reason's close
// code and the reason as the close reason (docs/protocol.md).
func (ss *session) cut(r access.Reason) {
	ss.closeWith(closeFor(r), string(r))
}

// finish leaves the room after the read loop ends.
func (ss *session) finish() {
	ss.cancel()
	_ = ss.conn.CloseNow()
	if ss.unlimit != nil {
		ss.unlimit()
	}
	if ss.up != nil {
		ss.finishEdge()
		return
	}
	if ss.pid == "" {
		ss.srv.mu.Lock()
		delete(ss.srv.sessions, ss)
		ss.srv.mu.Unlock()
		return
	}
	_, ok := ss.srv.detach(ss)
	if ok && ss.part != nil {
		ss.part.Close()
	}
	var res live.Result
	if ss.departed.Load() {
		res = ss.live.Depart(context.Background(), ss.connID)
	} else {
		res = ss.live.Leave(context.Background(), ss.connID)
	}
	ss.srv.apply(ss.lesson, ss.live, res)
	ss.log.Info("disconnected", "departed", ss.departed.Load())
}

func (ss *session) handle(data []byte) {
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		ss.sendError("", errorf(CodeBadRequest, "malformed JSON: %v", err))
		return
	}
	if len(env.ID) > 64 {
		ss.sendError("", errorf(CodeBadRequest, "request id longer than 64 characters"))
		return
	}
	if env.V != ProtocolVersion {
		ss.sendError(env.ID, errorf(CodeUnsupportedVersion, "protocol version %d is not supported; use %d", env.V, ProtocolVersion))
		return
	}
	if ss.up != nil && !edgeLocal[env.Type] {
		// An edge student's classroom message: the origin answers it.
		if env.Type == TypeLeave {
			ss.departed.Store(true)
		}
		ss.forwardUp(data)
		return
	}
	if !ss.ready() && env.Type != TypeJoin {
		if env.Type == TypePing {
			ss.send(TypePong, env.ID, struct{}{})
			return
		}
		ss.sendError(env.ID, errorf(CodeNotJoined, "send join first"))
		return
	}
	err := ss.dispatch(env)
	countMessage(env.Type, err)
	if err != nil {
		ss.sendError(env.ID, asProtocolError(err))
	}
}

// decode unmarshals a payload strictly.
func decode(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errorf(CodeBadRequest, "malformed payload: %v", err)
	}
	return nil
}

// acquire takes a slot of the session caps (limits.go) for a join; when
// none is left it refuses the join and closes the connection (4029).
func (ss *session) acquire(id, tok, user string) (release func(), ok bool) {
	release, ok = ss.srv.caps.acquire(tok, user, ss.addr)
	if !ok {
		ss.sendError(id, errorf(CodeTooManySessions, tooManySessions))
		ss.closeWith(CloseTooMany, CodeTooManySessions)
	}
	return release, ok
}

// ready reports whether the session has joined: it has its media
// participant, or is an edge's classroom connection that joined.
func (ss *session) ready() bool {
	return ss.part != nil || (ss.edgeNode != "" && ss.joined.Load())
}

func (ss *session) dispatch(env Envelope) error {
	if ss.part == nil && edgeLocal[env.Type] {
		return errorf(CodeForbidden, "this participant's media is served by its edge node")
	}
	switch env.Type {
	case TypeJoin:
		return ss.join(env)
	case TypePing:
		ss.send(TypePong, env.ID, struct{}{})
		return nil
	case TypeLeave:
		ss.departed.Store(true)
		ss.closeWith(websocket.StatusNormalClosure, "left")
		return nil
	case TypePublishOffer:
		var req PublishOffer
		if err := decode(env.Payload, &req); err != nil {
			return err
		}
		if !ss.part.CanPublish() {
			return errorf(CodeForbidden, "your role may not publish media")
		}
		if !ss.claims.Permissions.Publish {
			// On stage: camera and microphone only.
			for _, src := range req.Tracks {
				if src != sfu.SourceCamera && src != sfu.SourceMicrophone {
					return errorf(CodeForbidden, "on stage you may publish camera and microphone only")
				}
			}
		}
		if req.SDP == "" {
			return errorf(CodeBadSDP, "sdp is empty")
		}
		answer, err := ss.part.Publish(req.SDP, req.Tracks)
		if err != nil {
			return sfuError(err)
		}
		ss.send(TypePublishAnswer, env.ID, SDP{SDP: answer})
		if ss.claims.Permissions.Publish {
			// The teacher's (or an assistant's) Go live.
			ss.srv.goAsync(func() { ss.srv.goLive(ss.lesson, ss.claims.User) })
		}
		return nil
	case TypeSubscribeAnswer:
		var req SDP
		if err := decode(env.Payload, &req); err != nil {
			return err
		}
		if err := ss.part.SetSubscribeAnswer(req.SDP); err != nil {
			return sfuError(err)
		}
		return nil
	case TypeTrickle:
		var req Trickle
		if err := decode(env.Payload, &req); err != nil {
			return err
		}
		if req.Candidate == nil || req.Candidate.Candidate == "" {
			return nil // end of candidates
		}
		if err := ss.part.AddICECandidate(req.Target, *req.Candidate); err != nil {
			return sfuError(err)
		}
		return nil
	case TypeUnpublish:
		var req TrackRef
		if err := decode(env.Payload, &req); err != nil {
			return err
		}
		if err := ss.part.Unpublish(req.TrackID); err != nil {
			return sfuError(err)
		}
		ss.send(TypeOK, env.ID, struct{}{})
		return nil
	case TypeTrackSettings:
		var req TrackSettings
		if err := decode(env.Payload, &req); err != nil {
			return err
		}
		if req.Width < 0 || req.Height < 0 || req.Width > 16384 || req.Height > 16384 {
			return errorf(CodeBadRequest, "width and height must be 0..16384")
		}
		if err := ss.part.SetTrackSettings(req.TrackID, req.Width, req.Height, req.Visible); err != nil {
			return sfuError(err)
		}
		if env.ID != "" {
			ss.send(TypeOK, env.ID, struct{}{})
		}
		return nil
	case TypeKeyframe:
		var req TrackRef
		if err := decode(env.Payload, &req); err != nil {
			return err
		}
		if err := ss.part.RequestKeyframe(req.TrackID); err != nil {
			return sfuError(err)
		}
		return nil
	}
	switch env.Type {
	case live.MsgLessonEnd:
		return ss.endLesson(env)
	case live.MsgChatSend:
		return ss.sendChat(env)
	}
	if liveTypes[env.Type] {
		res, err := ss.live.Dispatch(ss.ctx, ss.pid, env.Type, env.Payload)
		if err != nil {
			if le, ok := liveError(err); ok {
				ss.send(TypeError, env.ID, le)
				return nil
			}
			return err
		}
		if env.ID != "" {
			ss.send(TypeOK, env.ID, struct{}{})
		}
		ss.srv.apply(ss.lesson, ss.live, res)
		return nil
	}
	return errorf(CodeUnknownType, "unknown message type %q", env.Type)
}

// sfuError maps the SFU's errors onto protocol codes.
func sfuError(err error) error {
	switch {
	case errors.Is(err, sfu.ErrForbidden):
		return errorf(CodeForbidden, "not permitted")
	case errors.Is(err, sfu.ErrBadSDP), errors.Is(err, sfu.ErrNoOffer), errors.Is(err, sfu.ErrBadCandidate):
		return &Error{Code: CodeBadSDP, Message: err.Error()}
	case errors.Is(err, sfu.ErrUnknownTrack), errors.Is(err, sfu.ErrNotPublishing), errors.Is(err, sfu.ErrNotSubscribing):
		return &Error{Code: CodeNotFound, Message: err.Error()}
	}
	return err
}

func (ss *session) join(env Envelope) error {
	if ss.ready() || ss.up != nil {
		return errorf(CodeAlreadyJoined, "already joined")
	}
	var req JoinRequest
	if err := decode(env.Payload, &req); err != nil {
		return err
	}
	claims, err := ss.srv.cfg.Signer.Verify(req.Token)
	if err != nil {
		ss.sendError(env.ID, errorf(CodeUnauthorized, "%v", err))
		ss.closeWith(CloseUnauthorized, "bad token")
		return nil
	}
	d, err := ss.srv.admit(ss.ctx, claims, access.DoorWebSocket)
	if err != nil {
		return err
	}
	if !d.Allowed() {
		ss.sendError(env.ID, &Error{Code: string(d.Reason), Message: d.Reason.Message()})
		ss.cut(d.Reason)
		return nil
	}
	if ss.edgeNode != "" && claims.Lesson != ss.edgeLesson {
		ss.sendError(env.ID, errorf(CodeUnauthorized, "the token is for another lesson than the edge's connection"))
		ss.closeWith(CloseUnauthorized, "bad token")
		return nil
	}
	if origin, ok := ss.canEdge(claims); ok {
		return ss.joinEdge(env, req, claims, d, origin)
	}
	if ss.movedWS(env.ID, claims.Lesson) {
		return nil
	}
	release := func() {}
	if ss.edgeNode == "" { // an edge applies the caps to its own students
		r, ok := ss.acquire(env.ID, req.Token, claims.User)
		if !ok {
			return nil
		}
		release = r
	}
	l, err := ss.srv.lessonFor(claims.Lesson)
	if err != nil {
		release()
		ss.sendError(env.ID, &Error{Code: string(access.ReasonLessonEnded), Message: access.ReasonLessonEnded.Message()})
		ss.cut(access.ReasonLessonEnded)
		return nil
	}
	res, err := l.Join(ss.ctx, live.JoinRequest{ConnID: ss.connID, UserID: claims.User, Name: claims.Name,
		Role: claims.Role, Perms: claims.Permissions, Remote: ss.edgeNode != ""})
	if err != nil {
		release()
		if le, ok := liveError(err); ok {
			ss.send(TypeError, env.ID, le)
			if le.Code == live.CodeEnded {
				ss.cut(access.ReasonLessonEnded)
			} else {
				ss.closeWith(CloseRemoved, le.Code)
			}
			return nil
		}
		return err
	}
	ss.unlimit = release
	ss.claims, ss.pid, ss.lesson, ss.live = claims, res.ParticipantID, claims.Lesson, l
	ss.gate = gateOf(claims, access.DoorWebSocket, d)
	ss.joined.Store(true)
	ss.log = ss.srv.log.With("lesson", ss.lesson, "participant", ss.pid)
	ss.calls.hold()
	defer ss.calls.release()
	var part *sfu.Participant
	if ss.edgeNode == "" { // an edge student's media is on the edge
		part, err = ss.srv.cfg.SFU.Join(claims.Lesson, sfu.ParticipantConfig{
			ID: ss.pid, Publish: claims.Permissions.Publish, Subscribe: claims.Permissions.Subscribe, Listener: ss,
			Priority: priority(claims.Role),
		})
		if err != nil {
			ss.srv.apply(ss.lesson, l, l.Leave(context.Background(), ss.connID))
			return err
		}
		ss.part = part
	}
	replaced, others, ok := ss.srv.attach(ss)
	if !ok {
		if part != nil {
			part.Close()
		}
		ss.srv.apply(ss.lesson, l, l.Leave(context.Background(), ss.connID))
		ss.closeWith(1001, "server shutting down")
		return nil
	}
	if replaced != nil {
		replaced.closeWith(CloseReplaced, "joined from another connection")
	}
	me := ss.info(true)
	joined := Joined{Participant: me, Lesson: ss.lesson, Participants: []ParticipantInfo{}, Tracks: []sfu.TrackInfo{}, ICEServers: ss.srv.iceServers(claims.User)}
	for _, o := range others {
		joined.Participants = append(joined.Participants, o.info(false))
	}
	if part != nil {
		for _, t := range part.Room().Tracks() {
			if t.Owner() != part {
				joined.Tracks = append(joined.Tracks, t.Info())
			}
		}
	}
	joined.Classroom = res.Snapshot
	joined.LessonStatus = d.Lesson.Status
	ss.send(TypeJoined, env.ID, joined)
	ss.srv.apply(ss.lesson, l, res.Result)
	ss.log.Info("joined", "role", claims.Role, "resumed", res.Resumed)
	return nil
}

func (ss *session) info(withPerms bool) ParticipantInfo {
	p := ParticipantInfo{ID: ss.pid, UserID: ss.claims.User, Name: ss.claims.Name, Role: ss.claims.Role}
	if withPerms {
		perms := ss.claims.Permissions
		p.Permissions = &perms
	}
	return p
}

// The sfu.Listener methods: called from the SFU's goroutines, they only
// queue (callqueue.go).

func (ss *session) SubscribeOffer(sdp string, tracks map[string]sfu.TrackInfo) {
	ss.emit(func() { ss.send(TypeSubscribeOffer, "", SubscribeOffer{SDP: sdp, Tracks: tracks}) })
}

func (ss *session) TrackPublished(t sfu.TrackInfo) {
	ss.emit(func() { ss.send(TypeTrackPublished, "", TrackEvent{Track: t}) })
}

func (ss *session) TrackUnpublished(t sfu.TrackInfo) {
	ss.emit(func() { ss.send(TypeTrackUnpublished, "", TrackRef{TrackID: t.ID, ParticipantID: t.ParticipantID}) })
}

func (ss *session) ConnectionState(target sfu.Target, st webrtc.PeerConnectionState) {
	ss.log.Debug("peer connection", "target", target, "state", st.String())
}
