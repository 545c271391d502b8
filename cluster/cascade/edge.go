package cascade

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// Relay is an edge's pull of one lesson's media from its origin: the
// origin's tracks published in the edge's room by one participant
// (RelayParticipantID of the origin node).
type Relay struct {
	lesson string
	part   *sfu.Participant
	conn   *websocket.Conn
	log    *slog.Logger

	cancel  context.CancelFunc
	closing atomic.Bool // Close was called
	done    chan struct{}
	once    sync.Once
	err     error // why the relay ended; read after done
}

// EdgeConfig describes the edge side of a relay.
type EdgeConfig struct {
	SFU       *sfu.SFU // the edge's SFU
	Secret    []byte   // the cluster's shared secret
	NodeID    string   // the edge's node id
	OriginID  string   // the origin's node id, names the relay participant
	OriginURL string   // the origin's base URL (http or https)
	Logger    *slog.Logger
	// HTTPClient dials the origin; nil: http.DefaultClient.
	HTTPClient *http.Client
}

// Dial opens a relay of lessonID from the origin into the edge's room.
// The relay runs until Close, the origin ends it, or ctx ends.
func Dial(ctx context.Context, cfg EdgeConfig, lessonID string) (*Relay, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	u := strings.TrimSuffix(cfg.OriginURL, "/") + RelayPath + lessonID
	h := signedHeader(cfg.Secret, kindRelay, lessonID, cfg.NodeID)
	dctx, cancelDial := context.WithTimeout(ctx, 10*time.Second)
	defer cancelDial()
	conn, resp, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPHeader: h, HTTPClient: cfg.HTTPClient})
	if err != nil {
		if resp != nil {
			switch resp.StatusCode {
			case http.StatusUnauthorized:
				return nil, fmt.Errorf("%w (origin %s)", ErrUnauthorized, cfg.OriginURL)
			case http.StatusMisdirectedRequest:
				return nil, fmt.Errorf("%w (origin %s)", ErrNotOrigin, cfg.OriginURL)
			}
		}
		return nil, fmt.Errorf("cascade: dialing the origin %s: %w", cfg.OriginURL, err)
	}
	conn.SetReadLimit(1 << 20)
	watch := &mediaWatch{ended: make(chan struct{})}
	part, err := cfg.SFU.Join(lessonID, sfu.ParticipantConfig{ID: RelayParticipantID(cfg.OriginID), Publish: true, Listener: watch})
	if err != nil {
		_ = conn.Close(websocket.StatusInternalError, "edge room")
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	r := &Relay{lesson: lessonID, part: part, conn: conn, log: cfg.Logger.With("lesson", lessonID, "origin", cfg.OriginID),
		cancel: cancel, done: make(chan struct{})}
	stop := context.AfterFunc(ctx, cancel)
	go func() {
		defer stop()
		r.err = r.run(rctx, watch.ended)
		r.finish()
	}()
	return r, nil
}

// run answers the origin's offers until the connection ends. Its watcher
// has ended when it returns: Close waits for run, and so for it.
func (r *Relay) run(ctx context.Context, ended <-chan struct{}) error {
	ctx, cancel := context.WithCancel(ctx)
	var watcher sync.WaitGroup
	defer watcher.Wait() // after cancel, which ends it
	defer cancel()
	watcher.Go(func() {
		select {
		case <-ended:
		case <-ctx.Done():
			return
		}
		// The origin's reason, if it gave one, may still be on its way.
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
			cancel()
		}
	})
	err := r.answer(ctx)
	switch {
	case r.closing.Load():
		return ErrClosed
	case errors.Is(err, ErrNotOrigin), errors.Is(err, ErrMediaEnded):
		return err
	}
	// Anything else (the origin's room closed and its DTLS close reached
	// this side first, or its last offer was refused on a connection just
	// closed): the media connection reports its end within moments.
	select {
	case <-ended:
		return ErrMediaEnded
	case <-time.After(time.Second):
		return err
	}
}

// answer applies the origin's offers until the connection ends.
func (r *Relay) answer(ctx context.Context) error {
	for {
		var m message
		if err := wsjson.Read(ctx, r.conn, &m); err != nil {
			if errors.Is(err, context.Canceled) {
				return ErrClosed
			}
			if websocket.CloseStatus(err) == StatusMediaEnded {
				return fmt.Errorf("%w: on the origin", ErrMediaEnded)
			}
			if websocket.CloseStatus(err) == StatusNotOrigin {
				return fmt.Errorf("%w: it closed the relay", ErrNotOrigin)
			}
			return fmt.Errorf("cascade: relay from origin: %w", err)
		}
		if m.Type != "offer" {
			return fmt.Errorf("%w: %q from the origin", ErrBadMessage, m.Type)
		}
		tracks := make(map[string]sfu.TrackInfo, len(m.Tracks))
		for _, t := range m.Tracks {
			tracks[t.ID] = t
		}
		answer, err := r.part.PublishRelayed(m.SDP, tracks)
		if err != nil {
			return fmt.Errorf("cascade: applying the origin's offer: %w", err)
		}
		if err := wsjson.Write(ctx, r.conn, message{Type: "answer", SDP: answer}); err != nil {
			return fmt.Errorf("cascade: answering the origin: %w", err)
		}
		r.log.Debug("relay renegotiated", "tracks", len(m.Tracks))
	}
}

// finish leaves the edge's room and closes the connection, once.
func (r *Relay) finish() {
	r.once.Do(func() {
		r.part.Close()
		_ = r.conn.Close(websocket.StatusNormalClosure, "")
		r.log.Info("relay ended", "err", r.err)
		close(r.done)
	})
}

// Participant returns the relay's participant in the edge's room.
func (r *Relay) Participant() *sfu.Participant { return r.part }

// Done is closed when the relay has ended.
func (r *Relay) Done() <-chan struct{} { return r.done }

// Err says why the relay ended (ErrClosed after Close); nil while it runs.
func (r *Relay) Err() error {
	select {
	case <-r.done:
		return r.err
	default:
		return nil
	}
}

// Close ends the relay and waits for it; calling it again does nothing.
func (r *Relay) Close() error {
	r.closing.Store(true)
	r.cancel()
	<-r.done
	return nil
}

// mediaWatch is the edge relay participant's sfu.Listener: it tells the
// relay when the publishing connection from the origin failed or closed.
type mediaWatch struct {
	sfu.NopListener
	ended chan struct{}
	once  sync.Once
}

func (w *mediaWatch) ConnectionState(_ sfu.Target, st webrtc.PeerConnectionState) {
	if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
		w.once.Do(func() { close(w.ended) })
	}
}
