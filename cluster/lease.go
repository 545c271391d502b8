package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Owner is the node serving a lesson.
type Owner struct {
	NodeID string
	URL    string // the node's public base URL
	Epoch  int64
}

// maxPlaceAttempts bounds the read-or-take loop of Place when other nodes
// race for the same lesson.
const maxPlaceAttempts = 5

// Place returns the node that serves lessonID: the holder of its valid
// lease or, if there is none (never placed, released, or its owner's
// heartbeat stopped and the lease expired), the least-loaded live node
// below its capacity, which takes the lease with the next epoch. A lease
// taken for this node is held at once; one taken for another node is
// picked up by that node's next heartbeat (or when the client arrives).
func (n *Node) Place(ctx context.Context, lessonID string) (Owner, error) {
	if n.isClosed() {
		return Owner{}, ErrClosed
	}
	for range maxPlaceAttempts {
		o, valid, err := n.lease(ctx, lessonID)
		if err != nil {
			return Owner{}, err
		}
		if valid {
			n.adopt(lessonID, o)
			return o, nil
		}
		target, err := n.leastLoaded(ctx)
		if err != nil {
			return Owner{}, err
		}
		var epoch int64
		err = n.pool.QueryRow(ctx, `INSERT INTO lesson_leases (lesson_id, node_id, epoch, expires_at)
			VALUES ($1, $2, 1, now() + make_interval(secs => $3))
			ON CONFLICT (lesson_id) DO UPDATE SET node_id = excluded.node_id, epoch = lesson_leases.epoch + 1,
				expires_at = excluded.expires_at, taken_at = now()
			WHERE lesson_leases.expires_at <= now()
			RETURNING epoch`, lessonID, target.NodeID, n.cfg.LeaseTTL.Seconds()).Scan(&epoch)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // another node placed it first: read its choice
		}
		if err != nil {
			return Owner{}, fmt.Errorf("cluster: taking the lease of %s: %w", lessonID, err)
		}
		target.Epoch = epoch
		n.log.Info("lesson placed", "lesson", lessonID, "node", target.NodeID, "url", target.URL, "epoch", epoch)
		n.adopt(lessonID, target)
		return target, nil
	}
	return Owner{}, fmt.Errorf("cluster: placing %s: the lease kept changing hands", lessonID)
}

// lease reads a lesson's lease: its owner and whether it is still valid
// (not expired, its owner registered).
func (n *Node) lease(ctx context.Context, lessonID string) (Owner, bool, error) {
	var o Owner
	var valid bool
	err := n.pool.QueryRow(ctx, `SELECT l.node_id, COALESCE(c.url, ''), l.epoch, l.expires_at > now() AND c.id IS NOT NULL
		FROM lesson_leases l LEFT JOIN cluster_nodes c ON c.id = l.node_id WHERE l.lesson_id = $1`, lessonID).
		Scan(&o.NodeID, &o.URL, &o.Epoch, &valid)
	if errors.Is(err, pgx.ErrNoRows) {
		return Owner{}, false, nil
	}
	if err != nil {
		return Owner{}, false, fmt.Errorf("cluster: reading the lease of %s: %w", lessonID, err)
	}
	return o, valid, nil
}

// leastLoaded picks the live node (beaten within LeaseTTL) with the
// fewest participants relative to room left, below its capacity, other
// than the nodes exclude names.
func (n *Node) leastLoaded(ctx context.Context, exclude ...string) (Owner, error) {
	var o Owner
	err := n.pool.QueryRow(ctx, `SELECT id, url FROM cluster_nodes
		WHERE heartbeat_at > now() - make_interval(secs => $1) AND (capacity = 0 OR load < capacity) AND id <> ALL($2)
		ORDER BY load, capacity = 0 DESC, capacity DESC, id LIMIT 1`, n.cfg.LeaseTTL.Seconds(), append(exclude, "")).Scan(&o.NodeID, &o.URL)
	if errors.Is(err, pgx.ErrNoRows) {
		return Owner{}, ErrNoNode
	}
	if err != nil {
		return Owner{}, fmt.Errorf("cluster: choosing a node: %w", err)
	}
	return o, nil
}

// adopt records a lease of this node's.
func (n *Node) adopt(lessonID string, o Owner) {
	if o.NodeID != n.cfg.ID {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.held[lessonID] < o.Epoch {
		n.held[lessonID] = o.Epoch
	}
	if n.deadline.IsZero() {
		n.deadline = time.Now().Add(n.cfg.LeaseTTL * 3 / 4)
	}
}

// Route implements signaling.Placement: "" when this node serves the
// lesson (placing it here if it is nobody's and this node is the least
// loaded), otherwise the base URL of the node that does.
func (n *Node) Route(ctx context.Context, lessonID string) (string, error) {
	o, err := n.Place(ctx, lessonID)
	if err != nil {
		return "", err
	}
	if o.NodeID == n.cfg.ID && n.Serves(lessonID) {
		return "", nil
	}
	return o.URL, nil
}

// OwnerURL is the base URL of the node serving lessonID, placing it if
// needed (for the join-token answer).
func (n *Node) OwnerURL(ctx context.Context, lessonID string) (string, error) {
	o, err := n.Place(ctx, lessonID)
	return o.URL, err
}

// Serves reports whether this node holds lessonID's lease and has renewed
// it recently enough to act on it.
func (n *Node) Serves(lessonID string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.held[lessonID]
	return ok && !n.closed && time.Now().Before(n.deadline)
}

// epoch returns the epoch of lessonID's lease if this node holds it.
func (n *Node) epoch(lessonID string) (int64, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.held[lessonID]
	return e, ok
}

// Ended implements signaling.Placement: a lesson ended here. Its owner
// (this node) releases the lease; any other node tells the owner.
func (n *Node) Ended(lessonID, by string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n.leaseMu.Lock()
	defer n.leaseMu.Unlock()
	if e, ok := n.epoch(lessonID); ok {
		n.mu.Lock()
		delete(n.held, lessonID)
		n.mu.Unlock()
		if _, err := n.pool.Exec(ctx, `UPDATE lesson_leases SET expires_at = now() WHERE lesson_id = $1 AND node_id = $2 AND epoch = $3`,
			lessonID, n.cfg.ID, e); err != nil {
			n.log.Warn("releasing the lease of an ended lesson", "lesson", lessonID, "err", err)
		}
		return
	}
	n.publish(ctx, signal{Kind: kindEnded, Lesson: lessonID, By: by})
}

// lose drops lessonID after a refused fenced write.
func (n *Node) lose(lessonID string, epoch int64) {
	n.mu.Lock()
	cur, ok := n.held[lessonID]
	if ok && cur == epoch {
		delete(n.held, lessonID)
	}
	n.mu.Unlock()
	if ok && cur == epoch {
		go n.drop([]string{lessonID}, "a fenced write was refused")
	}
}

func (n *Node) isClosed() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.closed
}
