package signaling

import (
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

	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// WHIP (RFC 9725) and WHEP: one HTTP exchange per session, authorised by a
// join token as a Bearer credential.

type httpSession struct {
	id, kind, lesson, user string
	part                   *sfu.Participant
}

type httpSessions struct {
	mu sync.Mutex // guards m
	m  map[string]*httpSession
}

func newHTTPSessions() *httpSessions { return &httpSessions{m: map[string]*httpSession{}} }

func (h *httpSessions) add(s *httpSession) {
	h.mu.Lock()
	h.m[s.id] = s
	h.mu.Unlock()
}

func (h *httpSessions) get(id string) *httpSession {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[id]
}

func (h *httpSessions) remove(id string) *httpSession {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.m[id]
	delete(h.m, id)
	return s
}

func (h *httpSessions) closeAll() {
	h.mu.Lock()
	all := h.m
	h.m = map[string]*httpSession{}
	h.mu.Unlock()
	for _, s := range all {
		s.part.Close()
	}
}

func httpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Error{Code: code, Message: msg})
}

// bearer verifies the request's token for lesson.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request, lesson string) (token.Claims, bool) {
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lectern"`)
		httpError(w, http.StatusUnauthorized, CodeUnauthorized, "a Bearer join token is required")
		return token.Claims{}, false
	}
	c, err := s.cfg.Signer.Verify(strings.TrimSpace(tok))
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lectern", error="invalid_token"`)
		httpError(w, http.StatusUnauthorized, CodeUnauthorized, err.Error())
		return token.Claims{}, false
	}
	if c.Lesson != lesson {
		httpError(w, http.StatusForbidden, CodeForbidden, "the token is for another lesson")
		return token.Claims{}, false
	}
	return c, true
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
	c, ok := s.bearer(w, r, lesson)
	if !ok {
		return
	}
	if kind == "whip" && !c.Permissions.Publish {
		httpError(w, http.StatusForbidden, CodeForbidden, "your role may not publish media")
		return
	}
	if kind == "whep" && !c.Permissions.Subscribe {
		httpError(w, http.StatusForbidden, CodeForbidden, "your role may not watch")
		return
	}
	offer, ok := readSDP(w, r, "application/sdp")
	if !ok {
		return
	}
	id := newSessionID()
	part, err := s.cfg.SFU.Join(lesson, sfu.ParticipantConfig{
		ID: kind + ":" + c.User + ":" + id[:8], Publish: kind == "whip",
	})
	if err != nil {
		httpError(w, http.StatusServiceUnavailable, CodeInternal, err.Error())
		return
	}
	var answer string
	if kind == "whip" {
		answer, err = part.Publish(offer, nil)
	} else {
		answer, err = part.Play(offer)
	}
	if err != nil {
		part.Close()
		if errors.Is(err, sfu.ErrBadSDP) {
			httpError(w, http.StatusBadRequest, CodeBadSDP, err.Error())
		} else {
			httpError(w, http.StatusInternalServerError, CodeInternal, "could not start the session")
		}
		return
	}
	s.whip.add(&httpSession{id: id, kind: kind, lesson: lesson, user: c.User, part: part})
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

// session looks up the WHIP/WHEP session of a PATCH or DELETE and checks
// that the same user's token asks.
func (s *Server) httpSessionFor(w http.ResponseWriter, r *http.Request) (*httpSession, bool) {
	lesson := r.PathValue("lesson")
	c, ok := s.bearer(w, r, lesson)
	if !ok {
		return nil, false
	}
	hs := s.whip.get(r.PathValue("session"))
	kind := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")[0]
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

func (s *Server) serveHTTPSessionDelete(w http.ResponseWriter, r *http.Request) {
	hs, ok := s.httpSessionFor(w, r)
	if !ok {
		return
	}
	if s.whip.remove(hs.id) != nil {
		hs.part.Close()
	}
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
