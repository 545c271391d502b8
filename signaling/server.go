package signaling

import (
	"cmp"
	"context"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/token"
)

// Config configures a signalling Server.
type Config struct {
	SFU        *sfu.SFU
	Signer     *token.Signer
	Logger     *slog.Logger
	ICEServers []ICEServer
	// ICEServersFor, when set, gives each user its own ICE servers (TURN
	// credentials are per participant) in place of ICEServers.
	ICEServersFor func(user string) []ICEServer
	// IdleTimeout closes a WebSocket that sent nothing for this long.
	// Default 45 s.
	IdleTimeout time.Duration
	// LiveStore keeps chat, questions, polls and attendance; nil keeps
	// them in memory.
	LiveStore live.Store
	// LessonOptions adds per-lesson options (stage limit, clock) when a
	// lesson's live state is created.
	LessonOptions func(lessonID string) []live.Option
	// OriginPatterns are extra hosts allowed to open the WebSocket from a
	// browser (the server's own host always is).
	OriginPatterns []string
	// Access is the access policy every door asks (package access). nil
	// lets every valid token in: for tests of the protocol alone.
	Access AccessPolicy
	// Lessons keeps lessons' status (nil: status lives in memory only).
	Lessons LessonStore
	// Limits caps concurrent sessions per token, account and address.
	Limits Limits
	// ClientAddr names the client's address for the per-address cap
	// (behind a trusted reverse proxy, the one X-Forwarded-For gives; see
	// internal/publicurl). nil: the TCP peer's address.
	ClientAddr func(*http.Request) string
	// EndGrace is how long after its scheduled end a live lesson that
	// nobody is in ends by itself (default 15 min); SweepEvery is how
	// often that is looked for (default 30 s).
	EndGrace, SweepEvery time.Duration
	// RecheckEvery asks the policy again for every open session this
	// often (default 1 min), besides the changes it is told of.
	RecheckEvery time.Duration
	// ICEGrace is how long a WHIP or WHEP session may stay disconnected
	// before it is removed (default 15 s; a failed one goes at once).
	ICEGrace time.Duration
	// LessonEnded, when set, is called when a lesson ends here, after its
	// connections are told and before its room closes (the recorder
	// finishes the lesson's recording). It runs under the lesson-status
	// lock: it must not call SetLessonStatus.
	LessonEnded func(lessonID string)
	// Placement, on a cluster of nodes (package cluster), says which node
	// serves each lesson (placement.go); nil: this node serves all.
	Placement Placement
	// Edge, on a cluster, lets this node serve students of big lessons
	// other nodes own (edge.go); nil: it does not.
	Edge Edge
}

// Server serves /rtc, /whip and /whep.
type Server struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex // guards lessons, live, chats, sessions, ended, closed
	lessons  map[string]*lessonHub
	live     map[string]*live.Lesson
	chats    map[*live.Lesson]*chatWriter
	sessions map[*session]struct{}
	ended    map[string]bool // lessons ended here and not reopened
	closed   bool
	stop     chan struct{}
	whip     *httpSessions
	caps     *caps
	lifeMu   sync.Mutex // serialises lesson status changes
	// rechecking is set while the periodic access recheck runs.
	rechecking atomic.Bool
	wg         sync.WaitGroup
}

// New returns a Server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 45 * time.Second
	}
	if cfg.LiveStore == nil {
		cfg.LiveStore = live.NewMemoryStore()
	}
	cfg.EndGrace = cmp.Or(cfg.EndGrace, 15*time.Minute)
	cfg.SweepEvery = cmp.Or(cfg.SweepEvery, 30*time.Second)
	cfg.RecheckEvery = cmp.Or(cfg.RecheckEvery, time.Minute)
	cfg.ICEGrace = cmp.Or(cfg.ICEGrace, 15*time.Second)
	if cfg.ClientAddr == nil {
		cfg.ClientAddr = peerAddr
	}
	s := &Server{cfg: cfg, log: cfg.Logger, lessons: map[string]*lessonHub{}, live: map[string]*live.Lesson{}, chats: map[*live.Lesson]*chatWriter{},
		sessions: map[*session]struct{}{}, ended: map[string]bool{}, whip: newHTTPSessions(),
		caps: newCaps(cfg.Limits), stop: make(chan struct{})}
	s.wg.Add(1)
	go s.tickLoop()
	return s
}

// iceServers returns the ICE servers handed to user, never nil.
func (s *Server) iceServers(user string) []ICEServer {
	list := s.cfg.ICEServers
	if s.cfg.ICEServersFor != nil {
		list = s.cfg.ICEServersFor(user)
	}
	if list == nil {
		list = []ICEServer{}
	}
	return list
}

// Register adds the server's routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /rtc", s.serveWS)
	if s.cfg.Edge != nil {
		mux.HandleFunc("GET "+UpstreamPath+"{lesson}", s.serveUpstream)
	}
	mux.HandleFunc("POST /whip/{lesson}", s.serveWHIP)
	mux.HandleFunc("POST /whep/{lesson}", s.serveWHEP)
	for _, kind := range []string{"whip", "whep"} {
		mux.HandleFunc("PATCH /"+kind+"/{lesson}/{session}", s.serveHTTPSessionPatch)
		mux.HandleFunc("DELETE /"+kind+"/{lesson}/{session}", s.serveHTTPSessionDelete)
		mux.HandleFunc("OPTIONS /"+kind+"/{lesson}", s.serveHTTPOptions)
	}
}

// Shutdown closes every WebSocket with status 1001 and every WHIP/WHEP
// session, all in parallel, and waits for their goroutines (or ctx).
func (s *Server) Shutdown(ctx context.Context) {
	s.mu.Lock()
	if !s.closed {
		close(s.stop)
	}
	s.closed = true
	sessions := make([]*session, 0, len(s.sessions))
	for ss := range s.sessions {
		sessions = append(sessions, ss)
	}
	s.mu.Unlock()
	// Every connection is closed at once: each close waits for its
	// client's close handshake, and 500 of them one after another would
	// take minutes.
	var closing sync.WaitGroup
	for _, ss := range sessions {
		closing.Go(func() { ss.closeWith(1001, "server shutting down") })
	}
	for _, hs := range s.whip.all() {
		closing.Go(func() { s.closeHTTP(hs, "") })
	}
	done := make(chan struct{})
	go func() { closing.Wait(); s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		// Clients that have not answered the close handshake by now are
		// cut off, so that their goroutines end too.
		for _, ss := range sessions {
			ss.abort()
		}
	}
}

// lessonHub is the set of WebSocket sessions in one lesson.
type lessonHub struct {
	id      string
	members map[string]*session // by participant id; guarded by Server.mu

	// Snapshots of members for fan-outs, built on first use after a
	// change and then shared (never modified): a chat message to 500
	// students copies nothing. Guarded by Server.mu.
	list  []*session
	index map[string]*session
}

// changed drops the snapshots.
func (h *lessonHub) changed() { h.list, h.index = nil, nil }

// attach registers ss in its lesson and returns the session it replaces
// and the other members.
func (s *Server) attach(ss *session) (replaced *session, others []*session, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, false
	}
	h := s.lessons[ss.lesson]
	if h == nil {
		h = &lessonHub{id: ss.lesson, members: map[string]*session{}}
		s.lessons[ss.lesson] = h
	}
	replaced = h.members[ss.pid]
	h.members[ss.pid] = ss
	h.changed()
	for id, m := range h.members {
		if id != ss.pid {
			others = append(others, m)
		}
	}
	return replaced, others, true
}

// detach removes ss from its lesson and returns the remaining members, or
// ok false if ss had already been replaced.
func (s *Server) detach(ss *session) (others []*session, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, ss)
	h := s.lessons[ss.lesson]
	if h == nil || h.members[ss.pid] != ss {
		return nil, false
	}
	delete(h.members, ss.pid)
	h.changed()
	if len(h.members) == 0 {
		delete(s.lessons, ss.lesson)
	}
	for _, m := range h.members {
		others = append(others, m)
	}
	return others, true
}

// members returns the sessions of a lesson. The slice is shared: do not
// modify it.
func (s *Server) members(lesson string) []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.lessons[lesson]
	if h == nil {
		return nil
	}
	if h.list == nil {
		h.list = make([]*session, 0, len(h.members))
		for _, m := range h.members {
			h.list = append(h.list, m)
		}
	}
	return h.list
}

// memberIndex returns the sessions of a lesson by participant id. The
// map is shared: do not modify it.
func (s *Server) memberIndex(lesson string) map[string]*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.lessons[lesson]
	if h == nil {
		return nil
	}
	if h.index == nil {
		h.index = maps.Clone(h.members)
	}
	return h.index
}

// broadcast sends one event to every WebSocket session of a lesson.
func (s *Server) broadcast(lessonID, typ string, payload any) {
	frame, err := encodeFrame(typ, "", payload)
	if err != nil {
		s.log.Error("marshal", "type", typ, "err", err)
		return
	}
	now := time.Now()
	for _, m := range s.members(lessonID) {
		m.sendFrame(frame, now)
	}
}
