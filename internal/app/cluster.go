package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/cluster"
	"github.com/lectern/lectern/cluster/cascade"
	"github.com/lectern/lectern/webclient"
)

// ClusterConfig turns on running several nodes on one PostgreSQL
// (package cluster; docs/architecture.md "Many nodes").
type ClusterConfig struct {
	// NodeURL is this node's own public base URL, where clients are sent
	// for the lessons it serves (--node-url). Empty: one node.
	NodeURL string
	// Capacity is how many participants this node takes (0: no limit).
	Capacity int
	// LeaseTTL is how long a lesson's lease outlives its owner's last
	// heartbeat (0: cluster.DefaultLeaseTTL): the failover time.
	LeaseTTL time.Duration
	// SpillAt sends a lesson's new students to an edge node once it has
	// this many participants on its owner (--spill-at; 0: never).
	SpillAt int
}

// wireCluster joins the cluster when a node URL is set, on PostgreSQL,
// and returns the live store signalling must write through (fenced by
// the lease). On SQLite, or without a node URL, it says that this is one
// node.
func (a *App) wireCluster(ctx context.Context, secret []byte) (live.Store, error) {
	liveStore := live.Store(a.store.Live())
	cc := a.cfg.Cluster
	if cc.NodeURL == "" && cc.SpillAt != 0 {
		return nil, fmt.Errorf("app: --spill-at needs --node-url: a lesson spills onto another node of a cluster")
	}
	if cc.NodeURL == "" {
		if a.store.Backend() == "postgres" {
			a.log.Info("one node: set --node-url to run several nodes on this PostgreSQL database")
		} else {
			a.log.Info("one node: SQLite serves a single node; several nodes need PostgreSQL (--database-url) and --node-url")
		}
		return liveStore, nil
	}
	if a.store.Backend() != "postgres" {
		return nil, fmt.Errorf("app: --node-url needs PostgreSQL (--database-url): SQLite serves a single node")
	}
	n, err := cluster.New(ctx, cluster.Config{DatabaseURL: a.cfg.DatabaseURL, URL: cc.NodeURL, Capacity: cc.Capacity,
		LeaseTTL: cc.LeaseTTL, Load: func() int { return a.sfu.Stats().Participants },
		SpillAt: cc.SpillAt, LessonLoad: a.lessonLoad, OnStage: a.onStage,
		Logger: a.log.With("subsystem", "cluster")})
	if err != nil {
		return nil, err
	}
	a.node = n
	a.closers = append(a.closers, n.Close)
	// The cascade: every node relays the lessons it owns to edges, and
	// serves as an edge the students of others' big lessons.
	clog := a.log.With("subsystem", "cascade")
	origin := cascade.NewOrigin(a.sfu, secret, cascade.WithServes(n.Serves), cascade.WithLogger(clog))
	a.mux.Handle(cascade.RelayPath, origin)
	a.closers = append(a.closers, origin.Close)
	a.edge = newCascadeEdge(n, cascade.EdgeConfig{SFU: a.sfu, Secret: secret, NodeID: n.ID(), Logger: clog})
	a.closers = append(a.closers, a.edge.Close)
	a.log.Info("cluster node registered", "node", n.ID(), "url", n.URL(), "capacity", cc.Capacity, "spill_at", cc.SpillAt)
	return n.Fence(liveStore), nil
}

// onStage reports whether the account holds a stage place in the
// lesson, from its stored room state (written by the lesson's owner).
func (a *App) onStage(ctx context.Context, lessonID, accountID string) bool {
	rs, err := a.store.Live().RoomState(ctx, lessonID)
	if err != nil {
		return false
	}
	for _, m := range rs.Members {
		if m.UserID == accountID && slices.Contains(rs.Stage, m.ParticipantID) {
			return true
		}
	}
	return false
}

// lessonLoad is a lesson's participants in this node's SFU (an edge's
// relay counts as one).
func (a *App) lessonLoad(lessonID string) int {
	if r := a.sfu.Room(lessonID); r != nil {
		return len(r.Participants())
	}
	return 0
}

// webclient serves the browser client; on a cluster its pages may open
// the other nodes' WebSockets.
func (a *App) webclient() http.Handler {
	if a.node == nil {
		return webclient.Handler()
	}
	return webclient.WithNodes(webclient.Handler(), a.node.Hosts)
}

// startCluster hands the signalling server to the node and routes access
// changes and join tokens through the cluster.
func (a *App) startCluster() {
	if a.node == nil {
		return
	}
	fan := a.node.AccessListener(a.sig)
	a.api.SetAccessListener(fan)
	a.billing.SetAccessListener(fan)
	a.api.SetRouter(a.node)
	a.node.Start(a.sig)
}
