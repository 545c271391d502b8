package peer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/signaling"
	"github.com/pion/webrtc/v4"
)

// Client speaks Lectern's signalling protocol over a real WebSocket.
type Client struct {
	Conn   *websocket.Conn
	Joined signaling.Joined

	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex // guards nextID, waiters, events, sub, closeErr
	nextID  int
	waiters map[string]chan signaling.Envelope
	events  []signaling.Envelope
	sub     *Subscriber
	offers  chan signaling.SubscribeOffer
	notify  chan struct{}
	readErr error
	wg      sync.WaitGroup
}

// Dial opens a WebSocket to url (ws://host/rtc) without joining.
func Dial(ctx context.Context, url string) (*Client, error) { return DialHeader(ctx, url, nil) }

// DialHeader is Dial with extra request headers (a reverse proxy's
// X-Forwarded-For, say).
func DialHeader(ctx context.Context, url string, h http.Header) (*Client, error) {
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	cctx, cancel := context.WithCancel(context.Background())
	c := &Client{Conn: conn, ctx: cctx, cancel: cancel, waiters: map[string]chan signaling.Envelope{},
		offers: make(chan signaling.SubscribeOffer, 16), notify: make(chan struct{}, 1)}
	c.wg.Add(2)
	go c.readLoop()
	go c.answerLoop()
	return c, nil
}

// Join dials and joins with token, attaching sub (may be nil) to answer
// subscribe offers.
func Join(ctx context.Context, url, tok string, sub *Subscriber) (*Client, error) {
	c, err := Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	c.sub = sub
	env, err := c.Request(ctx, signaling.TypeJoin, signaling.JoinRequest{Token: tok})
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := json.Unmarshal(env.Payload, &c.Joined); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// ErrorReply is an error message received in reply to a request.
type ErrorReply struct {
	Code, Message string
	Payload       json.RawMessage // the whole error payload (extra fields)
}

func (e *ErrorReply) Error() string { return e.Code + ": " + e.Message }

// Send sends one frame with the given id (may be empty).
func (c *Client) Send(ctx context.Context, typ, id string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	frame, _ := json.Marshal(signaling.Envelope{V: signaling.ProtocolVersion, Type: typ, ID: id, Payload: body})
	return c.Conn.Write(ctx, websocket.MessageText, frame)
}

// Request sends a frame with a fresh id and waits for the reply.
func (c *Client) Request(ctx context.Context, typ string, payload any) (signaling.Envelope, error) {
	c.mu.Lock()
	c.nextID++
	id := strconv.Itoa(c.nextID)
	ch := make(chan signaling.Envelope, 1)
	c.waiters[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiters, id)
		c.mu.Unlock()
	}()
	if err := c.Send(ctx, typ, id, payload); err != nil {
		return signaling.Envelope{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	select {
	case env := <-ch:
		return env, replyError(env)
	case <-ctx.Done():
		return signaling.Envelope{}, fmt.Errorf("waiting for reply to %s: %w", typ, ctx.Err())
	case <-c.ctx.Done():
		select {
		case env := <-ch: // the reply came just before the close
			return env, replyError(env)
		default:
		}
		return signaling.Envelope{}, fmt.Errorf("connection closed while waiting for reply to %s: %w", typ, c.closeError())
	}
}

// replyError is the *ErrorReply a reply carries, nil unless it is an
// error message.
func replyError(env signaling.Envelope) error {
	if env.Type != signaling.TypeError {
		return nil
	}
	var e signaling.Error
	_ = json.Unmarshal(env.Payload, &e)
	return &ErrorReply{Code: e.Code, Message: e.Message, Payload: env.Payload}
}

func (c *Client) closeError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

// CloseStatus returns the WebSocket close status the server sent, or -1.
func (c *Client) CloseStatus() websocket.StatusCode {
	return websocket.CloseStatus(c.closeError())
}

// CloseReason returns the WebSocket close reason the server sent, or "".
func (c *Client) CloseReason() string {
	var ce websocket.CloseError
	if errors.As(c.closeError(), &ce) {
		return ce.Reason
	}
	return ""
}

// Done is closed when the connection ends.
func (c *Client) Done() <-chan struct{} { return c.ctx.Done() }

func (c *Client) readLoop() {
	defer c.wg.Done()
	defer c.cancel()
	for {
		_, data, err := c.Conn.Read(c.ctx)
		if err != nil {
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			return
		}
		var env signaling.Envelope
		if json.Unmarshal(data, &env) != nil {
			continue
		}
		c.mu.Lock()
		if w := c.waiters[env.ID]; env.ID != "" && w != nil {
			w <- env
			c.mu.Unlock()
			continue
		}
		c.events = append(c.events, env)
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
		if env.Type == signaling.TypeSubscribeOffer {
			var o signaling.SubscribeOffer
			if json.Unmarshal(env.Payload, &o) == nil {
				select {
				case c.offers <- o:
				case <-c.ctx.Done():
					return
				}
			}
		}
	}
}

// answerLoop answers subscribe offers in order.
func (c *Client) answerLoop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.ctx.Done():
			return
		case o := <-c.offers:
			c.mu.Lock()
			sub := c.sub
			c.mu.Unlock()
			if sub == nil {
				continue
			}
			ans, err := sub.Answer(o.SDP)
			if err != nil {
				continue
			}
			_ = c.Send(c.ctx, signaling.TypeSubscribeAnswer, "", signaling.SDP{SDP: ans})
		}
	}
}

// Events returns the server-pushed messages received so far.
func (c *Client) Events() []signaling.Envelope {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]signaling.Envelope(nil), c.events...)
}

// WaitEvent waits for a pushed message of type typ for which match (may be
// nil) returns true.
func (c *Client) WaitEvent(typ string, timeout time.Duration, match func(signaling.Envelope) bool) (signaling.Envelope, bool) {
	deadline := time.After(timeout)
	seen := 0
	for {
		evs := c.Events()
		for _, e := range evs[seen:] {
			if e.Type == typ && (match == nil || match(e)) {
				return e, true
			}
		}
		seen = len(evs)
		select {
		case <-c.notify:
		case <-deadline:
			return signaling.Envelope{}, false
		case <-c.ctx.Done():
			// Drain what arrived before the close.
			for _, e := range c.Events()[seen:] {
				if e.Type == typ && (match == nil || match(e)) {
					return e, true
				}
			}
			return signaling.Envelope{}, false
		}
	}
}

// Publish offers pub's tracks, applies the answer and starts playing.
func (c *Client) Publish(ctx context.Context, pub *Publisher) error {
	if err := c.PublishTracks(ctx, pub.PC, pub.Sources()); err != nil {
		return err
	}
	pub.Start()
	return nil
}

// PublishTracks offers pc's tracks, each named by sources (track id →
// source), in a publish.offer and applies the answer. Starting to send is
// the caller's.
func (c *Client) PublishTracks(ctx context.Context, pc *webrtc.PeerConnection, sources map[string]string) error {
	return OfferAnswer(pc, func(offer string) (string, error) {
		env, err := c.Request(ctx, signaling.TypePublishOffer, map[string]any{"sdp": offer, "tracks": sources})
		if err != nil {
			return "", err
		}
		var ans signaling.SDP
		err = json.Unmarshal(env.Payload, &ans)
		return ans.SDP, err
	})
}

// Close closes the WebSocket and waits for the client's goroutines.
func (c *Client) Close() {
	_ = c.Conn.Close(websocket.StatusNormalClosure, "bye")
	c.cancel()
	c.wg.Wait()
}

// IsError reports whether err is an error reply with code.
func IsError(err error, code string) bool {
	var e *ErrorReply
	return errors.As(err, &e) && e.Code == code
}
