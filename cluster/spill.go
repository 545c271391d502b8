package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Spilling a big lesson onto an edge node (the cascade, package
// cluster/cascade): once a lesson has Config.SpillAt participants on its
// owner, the owner chooses one edge, the least-loaded live node other
// than itself below its capacity, and records it in lesson_spills with
// the epoch of its lease. From then on every node's join answer sends new
// students there; the edge relays the lesson's media from the owner and
// serves them. The choice holds while the edge beats, is below its
// capacity and the lease keeps that epoch: an edge that died or filled up
// is replaced by the owner's next choice (a full edge keeps serving the
// students it has), and a new owner (failover) chooses afresh.

// JoinURL is the base URL accountID should join lessonID at: the
// lesson's owner (placing it if needed), or its edge for a student
// (student true) once the lesson has spilled, unless the student holds a
// stage place (Config.OnStage).
func (n *Node) JoinURL(ctx context.Context, lessonID, accountID string, student bool) (string, error) {
	o, err := n.Place(ctx, lessonID)
	if err != nil || !student || n.cfg.SpillAt == 0 {
		return o.URL, err
	}
	var edge Owner
	if o.NodeID == n.cfg.ID && n.cfg.LessonLoad(lessonID) >= n.cfg.SpillAt {
		edge, err = n.spill(ctx, lessonID, o.Epoch)
	} else {
		edge, _, err = n.spilled(ctx, lessonID)
	}
	if err != nil {
		n.log.Warn("choosing the edge of a big lesson", "lesson", lessonID, "err", err)
	}
	if edge.URL == "" || (n.cfg.OnStage != nil && n.cfg.OnStage(ctx, lessonID, accountID)) {
		return o.URL, nil
	}
	return edge.URL, nil
}

// EdgeOf reports whether this node is lessonID's edge now, and returns
// the lesson's owner (the origin of its relay).
func (n *Node) EdgeOf(ctx context.Context, lessonID string) (origin Owner, ok bool, err error) {
	edge, origin, err := n.spilled(ctx, lessonID)
	if err != nil || edge.NodeID != n.cfg.ID {
		return Owner{}, false, err
	}
	return origin, true, nil
}

// spilled reads lessonID's valid edge (the zero Owner when it has none)
// and its owner.
func (n *Node) spilled(ctx context.Context, lessonID string) (edge, origin Owner, err error) {
	err = n.pool.QueryRow(ctx, `SELECT s.node_id, e.url, l.node_id, o.url, l.epoch FROM lesson_spills s
		JOIN lesson_leases l ON l.lesson_id = s.lesson_id AND l.epoch = s.owner_epoch AND l.expires_at > now()
		JOIN cluster_nodes e ON e.id = s.node_id AND e.heartbeat_at > now() - make_interval(secs => $2)
			AND (e.capacity = 0 OR e.load < e.capacity)
		JOIN cluster_nodes o ON o.id = l.node_id
		WHERE s.lesson_id = $1`, lessonID, n.cfg.LeaseTTL.Seconds()).
		Scan(&edge.NodeID, &edge.URL, &origin.NodeID, &origin.URL, &origin.Epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		return Owner{}, Owner{}, nil
	}
	if err != nil {
		return Owner{}, Owner{}, fmt.Errorf("cluster: reading the edge of %s: %w", lessonID, err)
	}
	return edge, origin, nil
}

// spill returns lessonID's edge, choosing one if it has no valid one; the
// zero Owner when no other node can take students. This node owns the
// lesson under epoch.
func (n *Node) spill(ctx context.Context, lessonID string, epoch int64) (Owner, error) {
	if edge, _, err := n.spilled(ctx, lessonID); err != nil || edge.NodeID != "" {
		return edge, err
	}
	var givenUp string
	err := n.pool.QueryRow(ctx, `SELECT given_up FROM lesson_spills WHERE lesson_id = $1`, lessonID).Scan(&givenUp)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Owner{}, fmt.Errorf("cluster: reading the edge of %s: %w", lessonID, err)
	}
	target, err := n.leastLoaded(ctx, n.cfg.ID, givenUp)
	if errors.Is(err, ErrNoNode) {
		return Owner{}, nil
	}
	if err != nil {
		return Owner{}, err
	}
	// Replaces only a choice that no longer holds: racing choices of the
	// same owner agree on the first.
	if _, err := n.pool.Exec(ctx, `INSERT INTO lesson_spills (lesson_id, node_id, owner_epoch) VALUES ($1, $2, $3)
		ON CONFLICT (lesson_id) DO UPDATE SET node_id = excluded.node_id, owner_epoch = excluded.owner_epoch, chosen_at = now(),
			given_up = CASE WHEN lesson_spills.owner_epoch = excluded.owner_epoch THEN lesson_spills.given_up ELSE '' END
		WHERE lesson_spills.owner_epoch <> excluded.owner_epoch OR NOT EXISTS (SELECT 1 FROM cluster_nodes c
			WHERE c.id = lesson_spills.node_id AND c.heartbeat_at > now() - make_interval(secs => $4)
				AND (c.capacity = 0 OR c.load < c.capacity))`,
		lessonID, target.NodeID, epoch, n.cfg.LeaseTTL.Seconds()); err != nil {
		return Owner{}, fmt.Errorf("cluster: recording the edge of %s: %w", lessonID, err)
	}
	edge, _, err := n.spilled(ctx, lessonID)
	if err == nil && edge.NodeID == target.NodeID {
		n.log.Info("lesson spills onto an edge", "lesson", lessonID, "edge", edge.NodeID, "url", edge.URL)
	}
	return edge, err
}

// GiveUpEdge is called by this node, lessonID's edge, when it cannot
// reach the lesson's owner (a partition between the two): it stops being
// the edge, and the owner's next choice is another node, if any.
func (n *Node) GiveUpEdge(ctx context.Context, lessonID string) error {
	tag, err := n.pool.Exec(ctx, `UPDATE lesson_spills SET given_up = node_id, node_id = '' WHERE lesson_id = $1 AND node_id = $2`,
		lessonID, n.cfg.ID)
	if err != nil {
		return fmt.Errorf("cluster: giving up the edge of %s: %w", lessonID, err)
	}
	if tag.RowsAffected() > 0 {
		n.log.Warn("gave up as the lesson's edge: its owner is out of reach", "lesson", lessonID)
	}
	return nil
}

// spillHeld chooses an edge for each held lesson that has reached
// SpillAt, so that join answers from the other nodes name it too.
func (n *Node) spillHeld(ctx context.Context, held map[string]int64) {
	if n.cfg.SpillAt == 0 {
		return
	}
	for l, epoch := range held {
		if n.cfg.LessonLoad(l) < n.cfg.SpillAt {
			continue
		}
		if _, err := n.spill(ctx, l, epoch); err != nil {
			n.log.Warn("choosing the edge of a big lesson", "lesson", l, "err", err)
		}
	}
}
