package cascade

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/lectern/lectern/sfu"
)

// Relay is an edge's pull of one lesson's media from its origin: the
// origin's tracks published in the edge's room by one participant
// (RelayParticipantID of the origin node).
type Relay struct {
	lesson string
	part   *sfu.Participant
	conn   *websocket.Conn
	log    *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	err    error // why the relay ended; read after done
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
	h := http.Header{}
	h.Set(authHeader, sign(cfg.Secret, lessonID, cfg.NodeID, time.Now()))
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
	part, err := cfg.SFU.Join(lessonID, sfu.ParticipantConfig{ID: RelayParticipantID(cfg.OriginID), Publish: true})
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
		r.err = r.run(rctx)
		r.finish()
	}()
	return r, nil
}

// run answers the origin's offers until the connection ends.
func (r *Relay) run(ctx context.Context) error {
	for {
		var m message
		if err := wsjson.Read(ctx, r.conn, &m); err != nil {
			if errors.Is(err, context.Canceled) {
				return ErrClosed
			}
			if websocket.CloseStatus(err) == StatusNotOrigin {
				return fmt.Errorf("%w: it closed the relay", ErrNotOrigin)
			}
			return fmt.Errorf("cascade: relay from origin: %w", err)
		}
		if m.Type != "offer" {
			return fmt.Errorf("%w: %q from the origin", ErrBadMessage, m.Type)
		}
		sources := make(map[string]sfu.Source, len(m.Tracks))
		for _, t := range m.Tracks {
			sources[t.ID] = t.Source
		}
		answer, err := r.part.Publish(m.SDP, sources)
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
	r.cancel()
	<-r.done
	return nil
}
