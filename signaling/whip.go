package signaling

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// WHIP (RFC 9725) and WHEP: one HTTP exchange per session, authorised by a
// join token as a Bearer credential.

// httpSession is one WHIP publisher or WHEP player: a participant of the
// live lesson ("obs" or "player") as well as of the media room.
type httpSession struct {
	srv                    *Server
	id, kind, lesson, user string
	pid                    string // participant id, in the room and the classroom
	gate                   gate
	part                   *sfu.Participant
	live                   *live.Lesson
	release                func() // gives back the session-limit slot

	mu    sync.Mutex  // guards timer
	timer *time.Timer // removal after ICEGrace while disconnected
}

// ConnectionState implements sfu.Listener: a failed or closed connection
// ends the session at once, a disconnected one after ICEGrace.
func (hs *httpSession) ConnectionState(_ sfu.Target, st webrtc.PeerConnectionState) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	switch st {
	case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		go hs.srv.closeHTTP(hs, "")
	case webrtc.PeerConnectionStateDisconnected:
		if hs.timer == nil {
			hs.timer = time.AfterFunc(hs.srv.cfg.ICEGrace, func() { hs.srv.closeHTTP(hs, "") })
		}
	case webrtc.PeerConnectionStateConnected:
		if hs.timer != nil {
			hs.timer.Stop()
			hs.timer = nil
		}
	}
}

func (hs *httpSession) SubscribeOffer(string, map[string]sfu.TrackInfo) {}
func (hs *httpSession) TrackPublished(sfu.TrackInfo)                    {}
func (hs *httpSession) TrackUnpublished(sfu.TrackInfo)                  {}

// maxGone bounds how many closed sessions keep their reason for PATCH
// and DELETE.
const maxGone = 4096

type httpSessions struct {
	mu   sync.Mutex // guards m and gone
	m    map[string]*httpSession
	gone map[string]access.Reason // closed by the server: why
}

func newHTTPSessions() *httpSessions {
	return &httpSessions{m: map[string]*httpSession{}, gone: map[string]access.Reason{}}
}

func (h *httpSessions) add(s *httpSession) {
	h.mu.Lock()
	h.m[s.id] = s
	h.mu.Unlock()
}

func (h *httpSessions) get(id string) (*httpSession, access.Reason) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[id], h.gone[id]
}

// remove forgets a session, remembering why the server closed it.
func (h *httpSessions) remove(id string, why access.Reason) *httpSession {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.m[id]
	delete(h.m, id)
	if s != nil && why != "" {
		if len(h.gone) >= maxGone {
			clear(h.gone)
		}
		h.gone[id] = why
	}
	return s
}

func (h *httpSessions) all() []*httpSession {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*httpSession, 0, len(h.m))
	for _, s := range h.m {
		out = append(out, s)
	}
	return out
}

// closeHTTP ends a WHIP/WHEP session once: its media stop, it leaves the
// classroom, and (why not "") later requests on it learn why.
func (s *Server) closeHTTP(hs *httpSession, why access.Reason) {
	if s.whip.remove(hs.id, why) == nil {
		return
	}
	hs.mu.Lock()
	if hs.timer != nil {
		hs.timer.Stop()
	}
	hs.mu.Unlock()
	hs.part.Close()
	hs.release()
	s.apply(hs.lesson, hs.live, hs.live.Depart(context.Background(), hs.pid))
	s.log.Info(hs.kind+" session closed", "lesson", hs.lesson, "user", hs.user, "session", hs.id, "reason", why)
}

func httpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Error{Code: code, Message: msg})
}

// bearer verifies the request's token for lesson and returns its claims
// and the token itself.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request, lesson string) (token.Claims, string, bool) {
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lectern"`)
		httpError(w, http.StatusUnauthorized, CodeUnauthorized, "a Bearer join token is required")
		return token.Claims{}, "", false
	}
	tok = strings.TrimSpace(tok)
	c, err := s.cfg.Signer.Verify(tok)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lectern", error="invalid_token"`)
		httpError(w, http.StatusUnauthorized, CodeUnauthorized, err.Error())
		return token.Claims{}, "", false
	}
	if c.Lesson != lesson {
		httpError(w, http.StatusForbidden, CodeForbidden, "the token is for another lesson")
		return token.Claims{}, "", false
	}
	return c, tok, true
}

// readSDP reads an application/sdp body of at most MaxMessageSize bytes.
func readSDP(w http.ResponseWriter, r *http.Request, contentType string) (string, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != contentType {
		httpError(w, http.StatusUnsupportedMediaType, CodeBadRequest, "Content-Type must be "+contentType)
		return "", false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxMessageSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			httpError(w, http.StatusRequestEntityTooLarge, CodeBadRequest, "body over 64 KiB")
		} else {
			httpError(w, http.StatusBadRequest, CodeBadRequest, "unreadable body")
		}
		return "", false
	}
	return string(body), true
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) serveHTTPOptions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "OPTIONS, POST")
	w.Header().Set("Accept-Post", "application/sdp")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) serveWHIP(w http.ResponseWriter, r *http.Request) {
	s.serveHTTPMedia(w, r, "whip")
}

func (s *Server) serveWHEP(w http.ResponseWriter, r *http.Request) {
	s.serveHTTPMedia(w, r, "whep")
}

func (s *Server) serveHTTPMedia(w http.ResponseWriter, r *http.Request, kind string) {
	lesson := r.PathValue("lesson")
	c, tok, ok := s.bearer(w, r, lesson)
	if !ok {
		return
	}
	door, lkind, suffix := access.DoorWHEP, live.KindPlayer, " (player)"
	if kind == "whip" {
		door, lkind, suffix = access.DoorWHIP, live.KindOBS, " (OBS)"
	}
	if kind == "whip" && !c.Permissions.Publish {
		httpError(w, http.StatusForbidden, CodeForbidden, "your role may not publish media")
		return
	}
	if kind == "whep" && !c.Permissions.Subscribe {
		httpError(w, http.StatusForbidden, CodeForbidden, "your role may not watch")
		return
	}
	// Access is decided before the body is read.
	d, err := s.admit(r.Context(), c, door)
	if err != nil {
		s.log.Error("access decision", "err", err)
		httpError(w, http.StatusInternalServerError, CodeInternal, "could not decide access")
		return
	}
	if !d.Allowed() {
		httpError(w, d.Reason.HTTPStatus(), string(d.Reason), d.Reason.Message())
		return
	}
	if s.redirectHTTP(w, r, lesson) {
		return
	}
	release, ok := s.caps.acquire(tok, c.User, s.cfg.ClientAddr(r))
	if !ok {
		w.Header().Set("Retry-After", "10")
		httpError(w, http.StatusTooManyRequests, CodeTooManySessions, tooManySessions)
		return
	}
	done := false
	defer func() {
		if !done {
			release()
		}
	}()
	offer, ok := readSDP(w, r, "application/sdp")
	if !ok {
		return
	}
	l, err := s.lessonFor(lesson)
	if err != nil {
		httpError(w, http.StatusConflict, string(access.ReasonLessonEnded), access.ReasonLessonEnded.Message())
		return
	}
	id := newSessionID()
	hs := &httpSession{srv: s, id: id, kind: kind, lesson: lesson, user: c.User, pid: kind + "-" + id[:16],
		gate: gateOf(c, door, d), live: l, release: release}
	jr, err := l.Join(r.Context(), live.JoinRequest{ConnID: hs.pid, UserID: c.User, Name: truncateName(c.Name + suffix),
		Role: c.Role, Perms: c.Permissions, Kind: lkind})
	if err != nil {
		le, ok := liveError(err)
		if !ok {
			httpError(w, http.StatusInternalServerError, CodeInternal, "could not join the lesson")
			return
		}
		status := http.StatusForbidden
		if le.Code == live.CodeEnded {
			status = http.StatusConflict
		}
		httpError(w, status, le.Code, le.Message)
		return
	}
	leave := func() { s.apply(lesson, l, l.Depart(context.Background(), hs.pid)) }
	part, err := s.cfg.SFU.Join(lesson, sfu.ParticipantConfig{ID: hs.pid, Publish: kind == "whip", Listener: hs})
	if err != nil {
		leave()
		httpError(w, http.StatusServiceUnavailable, CodeInternal, err.Error())
		return
	}
	hs.part = part
	var answer string
	if kind == "whip" {
		answer, err = part.Publish(offer, nil)
	} else {
		answer, err = part.Play(offer)
	}
	if err != nil {
		part.Close()
		leave()
		if errors.Is(err, sfu.ErrBadSDP) {
			httpError(w, http.StatusBadRequest, CodeBadSDP, err.Error())
		} else {
			httpError(w, http.StatusInternalServerError, CodeInternal, "could not start the session")
		}
		return
	}
	done = true
	s.whip.add(hs)
	s.apply(lesson, l, jr.Result)
	if s.hasEnded(lesson) {
		// Ended while this session was being set up.
		s.closeHTTP(hs, access.ReasonLessonEnded)
		httpError(w, http.StatusConflict, string(access.ReasonLessonEnded), access.ReasonLessonEnded.Message())
		return
	}
	if kind == "whip" {
		s.goAsync(func() { s.goLive(lesson, c.User) })
	}
	s.log.Info(kind+" session started", "lesson", lesson, "user", c.User, "session", id)
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/"+kind+"/"+lesson+"/"+id)
	w.Header().Set("ETag", `"`+id+`"`)
	for _, l := range iceLinks(s.iceServers(c.User)) {
		w.Header().Add("Link", l)
	}
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

// truncateName keeps a display name within the classroom's limit.
func truncateName(n string) string {
	r := []rune(n)
	if len(r) > live.MaxNameLen {
		r = r[:live.MaxNameLen]
	}
	return string(r)
}

// session looks up the WHIP/WHEP session of a PATCH or DELETE and checks
// that the same user's token asks.
func (s *Server) httpSessionFor(w http.ResponseWriter, r *http.Request) (*httpSession, bool) {
	lesson := r.PathValue("lesson")
	c, _, ok := s.bearer(w, r, lesson)
	if !ok {
		return nil, false
	}
	hs, why := s.whip.get(r.PathValue("session"))
	kind := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")[0]
	if hs == nil && why != "" {
		httpError(w, http.StatusGone, string(why), "the session was closed: "+messageOf(why))
		return nil, false
	}
	if hs == nil || hs.lesson != lesson || hs.kind != kind {
		httpError(w, http.StatusNotFound, CodeNotFound, "no such session")
		return nil, false
	}
	if hs.user != c.User {
		httpError(w, http.StatusForbidden, CodeForbidden, "the session belongs to someone else")
		return nil, false
	}
	return hs, true
}

// messageOf is the text of a reason the server closed a session for.
func messageOf(why access.Reason) string {
	if m := why.Message(); m != "" {
		return m
	}
	return string(why)
}

func (s *Server) serveHTTPSessionDelete(w http.ResponseWriter, r *http.Request) {
	hs, ok := s.httpSessionFor(w, r)
	if !ok {
		return
	}
	s.closeHTTP(hs, "")
	w.WriteHeader(http.StatusOK)
}

// serveHTTPSessionPatch adds trickled candidates (RFC 8840 SDP fragment).
func (s *Server) serveHTTPSessionPatch(w http.ResponseWriter, r *http.Request) {
	hs, ok := s.httpSessionFor(w, r)
	if !ok {
		return
	}
	frag, ok := readSDP(w, r, "application/trickle-ice-sdpfrag")
	if !ok {
		return
	}
	target := sfu.TargetPublish
	if hs.kind == "whep" {
		target = sfu.TargetSubscribe
	}
	mid := ""
	for _, line := range strings.Split(frag, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "a=mid:"); ok {
			mid = v
			continue
		}
		cand, ok := strings.CutPrefix(line, "a=candidate:")
		if !ok {
			continue
		}
		m := mid
		init := webrtc.ICECandidateInit{Candidate: "candidate:" + cand, SDPMid: &m}
		if err := hs.part.AddICECandidate(target, init); err != nil {
			httpError(w, http.StatusBadRequest, CodeBadSDP, "bad candidate: "+err.Error())
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// iceLinks renders ICE servers as Link header values (RFC 9725 section
// 4.6): one per URL, with the TURN credentials as parameters.
func iceLinks(servers []ICEServer) []string {
	var out []string
	for _, srv := range servers {
		for _, u := range srv.URLs {
			l := "<" + u + `>; rel="ice-server"`
			if srv.Username != "" {
				l += "; username=" + strconv.Quote(srv.Username) + "; credential=" + strconv.Quote(srv.Credential) + `; credential-type="password"`
			}
			out = append(out, l)
		}
	}
	return out
}
