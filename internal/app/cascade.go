package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lectern/lectern/cluster"
	"github.com/lectern/lectern/cluster/cascade"
)

// relayLinger keeps an edge's relay of a lesson this long after its last
// edge student left, for students who reconnect.
const relayLinger = 10 * time.Second

// cascadeEdge is signaling.Edge on a cluster node: it serves, as an edge,
// students of big lessons other nodes own (package cluster/cascade).
type cascadeEdge struct {
	node   *cluster.Node
	edge   *cascade.Edge
	secret []byte
	log    *slog.Logger
	linger time.Duration // relayLinger

	mu        sync.Mutex                 // guards students, lingering and closed
	students  map[string]int             // edge students per lesson
	lingering map[string]*lingeringRelay // relays kept after their last student left, by lesson
	closed    bool
	timers    sync.WaitGroup // one per linger timer, done when its callback ran or it was stopped

	// lingerEnded, for tests, is called when a linger ends, just before
	// it decides whether the relay is still idle.
	lingerEnded func(lessonID string)
}

// lingeringRelay is the timer that stops a lesson's relay once it has
// been idle for the linger.
type lingeringRelay struct{ timer *time.Timer }

func newCascadeEdge(n *cluster.Node, cfg cascade.EdgeConfig) *cascadeEdge {
	c := newEdgeOf(cascade.NewEdge(cfg, func(ctx context.Context, lessonID string) (string, string, error) {
		o, ok, err := n.EdgeOf(ctx, lessonID)
		if err == nil && !ok {
			err = fmt.Errorf("this node is not the lesson's edge now")
		}
		return o.NodeID, o.URL, err
	}), cfg)
	c.node = n
	return c
}

// newEdgeOf is a cascadeEdge over e, before its node is set.
func newEdgeOf(e *cascade.Edge, cfg cascade.EdgeConfig) *cascadeEdge {
	return &cascadeEdge{edge: e, secret: cfg.Secret, log: cfg.Logger, linger: relayLinger,
		students: map[string]int{}, lingering: map[string]*lingeringRelay{}}
}

func (c *cascadeEdge) Origin(ctx context.Context, lessonID string) (string, bool, error) {
	o, ok, err := c.node.EdgeOf(ctx, lessonID)
	return o.URL, ok, err
}

func (c *cascadeEdge) Relay(ctx context.Context, lessonID string) (<-chan struct{}, error) {
	// Counted before the relay is asked for, so that a linger ending now
	// sees the student (endLinger).
	c.mu.Lock()
	c.students[lessonID]++
	c.stopLinger(lessonID)
	c.mu.Unlock()
	r, err := c.edge.Ensure(ctx, lessonID)
	if err != nil {
		c.Release(lessonID)
		return nil, err
	}
	return r.Done(), nil
}

// Release stops the lesson's relay a while after its last edge student
// left.
func (c *cascadeEdge) Release(lessonID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.students[lessonID]--; c.students[lessonID] > 0 {
		return
	}
	delete(c.students, lessonID)
	if c.closed {
		return
	}
	c.stopLinger(lessonID)
	l := &lingeringRelay{}
	c.lingering[lessonID] = l
	c.timers.Add(1)
	l.timer = time.AfterFunc(c.linger, func() { c.endLinger(lessonID, l) })
}

// stopLinger cancels the lesson's linger, if any; c.mu is held.
func (c *cascadeEdge) stopLinger(lessonID string) {
	if l := c.lingering[lessonID]; l != nil {
		delete(c.lingering, lessonID)
		if l.timer.Stop() {
			c.timers.Done()
		}
	}
}

// endLinger stops the lesson's relay when l is still its linger and no
// student has come since: a student's Relay counts itself before it asks
// for the relay, and the count is read under the lesson's dial lock, so
// a student joining now is either counted here or dials a fresh relay.
func (c *cascadeEdge) endLinger(lessonID string, l *lingeringRelay) {
	defer c.timers.Done()
	c.mu.Lock()
	if c.lingering[lessonID] != l {
		c.mu.Unlock()
		return
	}
	delete(c.lingering, lessonID)
	c.mu.Unlock()
	c.edge.StopIf(lessonID, func() bool {
		if c.lingerEnded != nil {
			c.lingerEnded(lessonID)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.students[lessonID] == 0
	})
}

func (c *cascadeEdge) Unreachable(lessonID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.node.GiveUpEdge(ctx, lessonID); err != nil {
		c.log.Warn("giving up as the lesson's edge", "lesson", lessonID, "err", err)
	}
}

func (c *cascadeEdge) UpstreamHeader(lessonID string) http.Header {
	return cascade.ClassroomHeader(c.secret, lessonID, c.node.ID())
}

func (c *cascadeEdge) VerifyUpstream(r *http.Request, lessonID string) (string, error) {
	return cascade.VerifyClassroom(c.secret, r, lessonID)
}

// Close stops the linger timers, waits for those already running, and
// ends the edge's relays; calling it again does nothing more.
func (c *cascadeEdge) Close() error {
	c.mu.Lock()
	c.closed = true
	for lesson := range c.lingering {
		c.stopLinger(lesson)
	}
	c.mu.Unlock()
	c.timers.Wait()
	return c.edge.Close()
}
