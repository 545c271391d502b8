package cascade

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// Origin serves relays of the lessons this node owns (RelayPath).
type Origin struct {
	sfu    *sfu.SFU
	secret []byte
	serves func(lessonID string) bool
	log    *slog.Logger
	now    func() time.Time
	// recheck is how often an open relay checks that this node still
	// serves its lesson.
	recheck time.Duration

	mu     sync.Mutex // guards closed and the wg.Add of a new relay
	closed bool
	stop   context.Context // done when Close is called
	cancel context.CancelFunc
	wg     sync.WaitGroup // open relays
}

// OriginOption configures an Origin.
type OriginOption func(*Origin)

// WithServes makes the origin refuse relays of lessons for which serves
// returns false (cluster.Node.Serves: the lease holder only).
func WithServes(serves func(lessonID string) bool) OriginOption {
	return func(o *Origin) { o.serves = serves }
}

// WithRecheck sets how often an open relay checks that this node still
// serves its lesson (default 1 s).
func WithRecheck(d time.Duration) OriginOption {
	return func(o *Origin) {
		if d > 0 {
			o.recheck = d
		}
	}
}

// WithLogger sets the origin's logger.
func WithLogger(l *slog.Logger) OriginOption { return func(o *Origin) { o.log = l } }

// NewOrigin returns the relay handler of a node whose SFU is s; secret is
// the cluster's shared secret.
func NewOrigin(s *sfu.SFU, secret []byte, opts ...OriginOption) *Origin {
	o := &Origin{sfu: s, secret: secret, serves: func(string) bool { return true }, log: slog.New(slog.DiscardHandler), now: time.Now,
		recheck: time.Second}
	o.stop, o.cancel = context.WithCancel(context.Background())
	for _, f := range opts {
		f(o)
	}
	return o
}

// Wait waits for the relays this origin serves to end.
func (o *Origin) Wait() { o.wg.Wait() }

// Close ends the relays this origin serves (their edges hear a normal
// close), refuses new ones and waits for them to end; calling it again
// does nothing more.
func (o *Origin) Close() error {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.cancel()
	o.wg.Wait()
	return nil
}

// ServeHTTP accepts one edge's relay of one lesson.
func (o *Origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lesson := strings.TrimPrefix(r.URL.Path, RelayPath)
	if lesson == "" || strings.Contains(lesson, "/") || lesson == r.URL.Path {
		http.Error(w, "cascade: relay path must be "+RelayPath+"<lesson id>", http.StatusNotFound)
		return
	}
	edge, err := verify(o.secret, kindRelay, r, lesson, o.now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if !o.serves(lesson) {
		http.Error(w, ErrNotOrigin.Error(), http.StatusMisdirectedRequest)
		return
	}
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		http.Error(w, ErrClosed.Error(), http.StatusServiceUnavailable)
		return
	}
	o.wg.Add(1)
	o.mu.Unlock()
	defer o.wg.Done()
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	conn.SetReadLimit(1 << 20)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(o.stop, cancel)()
	err = o.serve(ctx, conn, lesson, edge)
	o.log.Info("relay ended", "lesson", lesson, "edge", edge, "err", err)
}

// offers is the origin's sfu.Listener for a relay participant: the latest
// offer waits in a slot (the SFU has at most one outstanding).
type offers struct {
	sfu.NopListener
	mu     sync.Mutex
	latest *message
	ready  chan struct{}
	ended  chan struct{} // closed when the relay's connection failed or closed
	once   sync.Once
}

// ConnectionState ends the relay when its PeerConnection fails or closes
// (the room was closed: the lesson ended here).
func (f *offers) ConnectionState(_ sfu.Target, st webrtc.PeerConnectionState) {
	if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
		f.once.Do(func() { close(f.ended) })
	}
}

func (f *offers) SubscribeOffer(sdp string, tracks map[string]sfu.TrackInfo) {
	f.mu.Lock()
	f.latest = &message{Type: "offer", SDP: sdp, Tracks: tracks}
	f.mu.Unlock()
	select {
	case f.ready <- struct{}{}:
	default:
	}
}

func (f *offers) take() *message {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.latest
	f.latest = nil
	return m
}

// closeWith closes a relay's WebSocket with the reason err stands for.
func closeWith(conn *websocket.Conn, err error) {
	switch {
	case errors.Is(err, ErrNotOrigin):
		_ = conn.Close(StatusNotOrigin, "lease lost")
	case errors.Is(err, ErrMediaEnded):
		_ = conn.Close(StatusMediaEnded, "relay connection ended")
	default:
		_ = conn.Close(websocket.StatusNormalClosure, "")
	}
}

func (o *Origin) serve(ctx context.Context, conn *websocket.Conn, lesson, edge string) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lis := &offers{ready: make(chan struct{}, 1), ended: make(chan struct{})}
	part, err := o.sfu.Join(lesson, sfu.ParticipantConfig{ID: RelayParticipantID(edge), Subscribe: true, Relay: true, Listener: lis})
	if err != nil {
		_ = conn.Close(websocket.StatusInternalError, "origin room")
		return err
	}
	defer part.Close()
	o.log.Info("relay started", "lesson", lesson, "edge", edge)
	errc := make(chan error, 1)
	readerDone := make(chan struct{})
	defer func() { cancel(); <-readerDone }()
	// First of these: the edge hears the reason before the media
	// connection closes, and before a cancelled read would close the
	// WebSocket without one.
	defer func() { closeWith(conn, err) }()
	go func() {
		defer close(readerDone)
		for {
			var m message
			if err := wsjson.Read(ctx, conn, &m); err != nil {
				errc <- err
				return
			}
			if m.Type != "answer" {
				errc <- ErrBadMessage
				return
			}
			if err := part.SetSubscribeAnswer(m.SDP); err != nil {
				// Refused on a connection that just closed (the room
				// closed): say so, as ConnectionState does moments later.
				select {
				case <-lis.ended:
					err = ErrMediaEnded
				case <-time.After(time.Second):
				}
				errc <- err
				return
			}
		}
	}()
	check := time.NewTicker(o.recheck)
	defer check.Stop()
	for {
		select {
		case <-check.C:
			// A node that lost the lesson's lease stops feeding edges, as
			// it stops serving its own students.
			if !o.serves(lesson) {
				return ErrNotOrigin
			}
		case <-lis.ended:
			return ErrMediaEnded
		case <-lis.ready:
			if m := lis.take(); m != nil {
				if err := wsjson.Write(ctx, conn, m); err != nil {
					return err
				}
			}
		case err := <-errc:
			if errors.Is(err, context.Canceled) || websocket.CloseStatus(err) == websocket.StatusNormalClosure {
				return nil
			}
			return err
		}
	}
}

// RelayParticipantID is the id a relay has in both nodes' rooms.
func RelayParticipantID(nodeID string) string { return "relay:" + nodeID }
