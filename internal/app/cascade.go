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

	mu       sync.Mutex
	students map[string]int // edge students per lesson
}

func newCascadeEdge(n *cluster.Node, cfg cascade.EdgeConfig) *cascadeEdge {
	c := &cascadeEdge{node: n, secret: cfg.Secret, log: cfg.Logger, students: map[string]int{}}
	c.edge = cascade.NewEdge(cfg, func(ctx context.Context, lessonID string) (string, string, error) {
		o, ok, err := n.EdgeOf(ctx, lessonID)
		if err == nil && !ok {
			err = fmt.Errorf("this node is not the lesson's edge now")
		}
		return o.NodeID, o.URL, err
	})
	return c
}

func (c *cascadeEdge) Origin(ctx context.Context, lessonID string) (string, bool, error) {
	o, ok, err := c.node.EdgeOf(ctx, lessonID)
	return o.URL, ok, err
}

func (c *cascadeEdge) Relay(ctx context.Context, lessonID string) (<-chan struct{}, error) {
	r, err := c.edge.Ensure(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.students[lessonID]++
	c.mu.Unlock()
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
	time.AfterFunc(relayLinger, func() {
		c.mu.Lock()
		idle := c.students[lessonID] == 0
		c.mu.Unlock()
		if idle {
			c.edge.Stop(lessonID)
		}
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

// Close ends the edge's relays.
func (c *cascadeEdge) Close() error { return c.edge.Close() }
