package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultLeaseTTL is how long a lease outlives its owner's last renewal.
const DefaultLeaseTTL = 5 * time.Second

// Config configures a Node.
type Config struct {
	// DatabaseURL is the PostgreSQL database every node shares (the
	// store's); migration 0016 must have been applied.
	DatabaseURL string
	// ID names this node; "" makes a fresh one per start.
	ID string
	// URL is this node's public base URL (scheme and host, no path), the
	// one clients are sent to.
	URL string
	// Capacity is how many live participants this node takes; 0: no limit.
	Capacity int
	// LeaseTTL (default DefaultLeaseTTL, at least 1 s): a lease expires
	// this long after its owner's last renewal; nodes beat every LeaseTTL/3.
	LeaseTTL time.Duration
	// Load returns this node's live participants (e.g. the SFU's count).
	Load func() int
	// SpillAt (0: off) sends new students of a lesson that has this many
	// participants on its owner to an edge node (spill.go).
	SpillAt int
	// LessonLoad returns a lesson's participants on this node (needed
	// with SpillAt).
	LessonLoad func(lessonID string) int
	// OnStage reports whether an account holds a stage place in a lesson
	// (it then joins the owner, where it can publish); nil: never.
	OnStage func(ctx context.Context, lessonID, accountID string) bool
	Logger  *slog.Logger
}

// Server is what a node drives in its signalling server.
type Server interface {
	// Moved closes every session of a lesson this node stopped serving
	// (with the "moved" close code) and forgets its live state.
	Moved(lessonID string)
	// AccessChanged asks the access policy again for the account's open
	// sessions, as a local change would.
	AccessChanger
	// EndedElsewhere finishes a lesson ended by another node.
	EndedElsewhere(lessonID, by string)
}

// Node is this process's membership of the cluster.
type Node struct {
	cfg  Config
	log  *slog.Logger
	pool *pgxpool.Pool

	// leaseMu serializes this node's lease renewal with its release of
	// an ended lesson's lease. Without it a renewal whose statement began
	// before the release (Postgres's now() is its transaction's start)
	// re-checks the released row, finds expires_at still ahead of that
	// earlier now(), and extends it again.
	leaseMu  sync.Mutex
	mu       sync.Mutex       // guards held, deadline, srv, origins, closed
	held     map[string]int64 // lesson → epoch of the lease this node holds
	deadline time.Time        // leases are ours until then (monotonic clock)
	srv      Server
	origins  map[string]bool // hosts of the registered nodes
	closed   bool

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// New registers this node in cluster_nodes. Call Start to beat.
func New(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.LeaseTTL < time.Second {
		return nil, fmt.Errorf("%w: lease TTL %v is under 1 s", ErrConfig, cfg.LeaseTTL)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" {
		return nil, fmt.Errorf("%w: node URL %q must be http(s)://host[:port] without a path", ErrConfig, cfg.URL)
	}
	cfg.URL = u.Scheme + "://" + u.Host
	if cfg.Capacity < 0 {
		return nil, fmt.Errorf("%w: capacity %d is negative", ErrConfig, cfg.Capacity)
	}
	if cfg.ID == "" {
		cfg.ID = uuid.NewString()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Load == nil {
		cfg.Load = func() int { return 0 }
	}
	if cfg.SpillAt < 0 {
		return nil, fmt.Errorf("%w: spill-at %d is negative", ErrConfig, cfg.SpillAt)
	}
	if cfg.LessonLoad == nil {
		cfg.LessonLoad = func(string) int { return 0 }
	}
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: database URL: %v", ErrConfig, err)
	}
	pcfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: cfg.Logger, pool: pool, held: map[string]int64{}, origins: map[string]bool{},
		stop: make(chan struct{})}
	if _, err := pool.Exec(ctx, `INSERT INTO cluster_nodes (id, url, capacity, load) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, capacity = excluded.capacity, load = excluded.load,
		started_at = now(), heartbeat_at = now()`, cfg.ID, cfg.URL, cfg.Capacity, cfg.Load()); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cluster: registering the node (is migration 0016 applied?): %w", err)
	}
	return n, nil
}

// ID returns this node's id.
func (n *Node) ID() string { return n.cfg.ID }

// URL returns this node's public base URL.
func (n *Node) URL() string { return n.cfg.URL }

// Start begins beating and listening for signals; srv is told of lost
// leases and of signals from other nodes.
func (n *Node) Start(srv Server) {
	n.mu.Lock()
	n.srv = srv
	n.mu.Unlock()
	n.wg.Add(2)
	go n.beatLoop()
	go n.listenLoop()
}

// Close stops beating, gives up this node's leases (so that another node
// takes them at once rather than after their expiry), leaves the
// registry and waits for its goroutines. It is idempotent.
func (n *Node) Close() error {
	n.once.Do(func() {
		n.mu.Lock()
		n.closed = true
		n.mu.Unlock()
		close(n.stop)
		n.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if _, err := n.pool.Exec(ctx, `UPDATE lesson_leases SET expires_at = now() WHERE node_id = $1`, n.cfg.ID); err != nil {
			n.log.Warn("releasing leases", "err", err)
		}
		if _, err := n.pool.Exec(ctx, `DELETE FROM cluster_nodes WHERE id = $1`, n.cfg.ID); err != nil {
			n.log.Warn("leaving the registry", "err", err)
		}
		n.pool.Close()
	})
	return nil
}

// server returns the Server, nil before Start.
func (n *Node) server() Server {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.srv
}

// beatLoop beats every LeaseTTL/3 until Close.
func (n *Node) beatLoop() {
	defer n.wg.Done()
	t := time.NewTicker(n.cfg.LeaseTTL / 3)
	defer t.Stop()
	n.beat()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			n.beat()
		}
	}
}

// beat records this node's load, renews its leases and drops those it
// lost. When the database does not answer, the leases are kept until 3/4
// of LeaseTTL after the last renewal, then dropped: others may take them
// once LeaseTTL has passed on the database's clock.
func (n *Node) beat() {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), n.cfg.LeaseTTL/2)
	defer cancel()
	lost, renewed, ok := n.renewHeld(ctx, start)
	if !ok {
		n.drop(lost, "no renewal within the lease")
		return
	}
	n.drop(lost, "lease taken by another node")
	n.refreshOrigins(ctx)
	n.spillHeld(ctx, renewed)
}

// renewHeld renews this node's leases and brings held up to date, under
// leaseMu: the lessons lost, the leases renewed, and whether the
// database answered.
func (n *Node) renewHeld(ctx context.Context, start time.Time) (lost []string, renewed map[string]int64, ok bool) {
	n.leaseMu.Lock()
	defer n.leaseMu.Unlock()
	n.mu.Lock()
	before := make(map[string]int64, len(n.held))
	for l, e := range n.held {
		before[l] = e
	}
	n.mu.Unlock()
	renewed, err := n.renew(ctx)
	if err != nil {
		n.log.Warn("cluster heartbeat failed", "err", err)
		n.mu.Lock()
		if !n.deadline.IsZero() && time.Now().After(n.deadline) {
			for l := range n.held {
				lost = append(lost, l)
			}
			clear(n.held)
		}
		n.mu.Unlock()
		return lost, nil, false
	}
	n.mu.Lock()
	n.deadline = start.Add(n.cfg.LeaseTTL * 3 / 4)
	for l, e := range before {
		if renewed[l] != e && n.held[l] == e {
			delete(n.held, l)
			lost = append(lost, l)
		}
	}
	for l, e := range renewed {
		if n.held[l] < e {
			n.held[l] = e // placed here by another node
		}
	}
	n.mu.Unlock()
	return lost, renewed, true
}

// renew beats and renews this node's leases, returning them.
func (n *Node) renew(ctx context.Context) (map[string]int64, error) {
	tag, err := n.pool.Exec(ctx, `UPDATE cluster_nodes SET load = $2, heartbeat_at = now() WHERE id = $1`, n.cfg.ID, n.cfg.Load())
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 0 { // removed by an operator: register again
		if _, err := n.pool.Exec(ctx, `INSERT INTO cluster_nodes (id, url, capacity, load) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO NOTHING`, n.cfg.ID, n.cfg.URL, n.cfg.Capacity, n.cfg.Load()); err != nil {
			return nil, err
		}
	}
	// An expired lease is not renewed: another node may have placed the
	// lesson meanwhile, and a released one (an ended lesson) stays so.
	rows, err := n.pool.Query(ctx, `UPDATE lesson_leases SET expires_at = now() + make_interval(secs => $2)
		WHERE node_id = $1 AND expires_at > now() RETURNING lesson_id, epoch`, n.cfg.ID, n.cfg.LeaseTTL.Seconds())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var l string
		var e int64
		if err := rows.Scan(&l, &e); err != nil {
			return nil, err
		}
		out[l] = e
	}
	return out, rows.Err()
}

// drop tells the Server to stop serving lessons this node lost.
func (n *Node) drop(lessons []string, why string) {
	srv := n.server()
	for _, l := range lessons {
		n.log.Warn("lease lost: no longer serving the lesson", "lesson", l, "why", why)
		if srv != nil {
			srv.Moved(l)
		}
	}
}

// refreshOrigins remembers the hosts of the registered nodes, whose pages
// may open this node's WebSocket.
func (n *Node) refreshOrigins(ctx context.Context) {
	rows, err := n.pool.Query(ctx, `SELECT url FROM cluster_nodes`)
	if err != nil {
		return
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var s string
		if rows.Scan(&s) == nil {
			if u, err := url.Parse(s); err == nil && u.Host != "" {
				m[strings.ToLower(u.Host)] = true
			}
		}
	}
	if rows.Err() == nil {
		n.mu.Lock()
		n.origins = m
		n.mu.Unlock()
	}
}

// Hosts returns the hosts (host:port) of the registered nodes, as of the
// last heartbeat.
func (n *Node) Hosts() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, 0, len(n.origins))
	for h := range n.origins {
		out = append(out, h)
	}
	slices.Sort(out)
	return out
}

// TrustedOrigin reports whether host (of a page's Origin) is a registered
// node's, whose pages may open this node's WebSocket.
func (n *Node) TrustedOrigin(host string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.origins[strings.ToLower(host)]
}
