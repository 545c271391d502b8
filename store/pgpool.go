package store

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresConns is the default size of the PostgreSQL pool.
const DefaultPostgresConns = 10

// pgPool is a small pool of pgx connections. (pgx's own pgxpool needs
// github.com/jackc/puddle/v2, which the module does not carry.) At most
// cap(slots) connections exist at once; idle ones are reused newest first.
type pgPool struct {
	cfg   *pgx.ConnConfig
	slots chan struct{} // one token per live connection

	mu     sync.Mutex // guards idle and closed
	idle   []*pgx.Conn
	closed bool
}

func newPgPool(cfg *pgx.ConnConfig, max int) *pgPool {
	if max <= 0 {
		max = DefaultPostgresConns
	}
	return &pgPool{cfg: cfg, slots: make(chan struct{}, max)}
}

// acquire returns an idle connection or dials a new one, waiting for a
// free slot until ctx is done.
func (p *pgPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.slots
		return nil, ErrClosed
	}
	var c *pgx.Conn
	if n := len(p.idle); n > 0 {
		c, p.idle = p.idle[n-1], p.idle[:n-1]
	}
	p.mu.Unlock()
	if c != nil && !c.IsClosed() {
		return c, nil
	}
	c, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return c, nil
}

// release returns c to the pool, or closes it if it is broken, busy or
// inside a transaction (a cancelled context can leave it so).
func (p *pgPool) release(c *pgx.Conn) {
	defer func() { <-p.slots }()
	pc := c.PgConn()
	healthy := !c.IsClosed() && !pc.IsBusy() && pc.TxStatus() == 'I'
	p.mu.Lock()
	if healthy && !p.closed {
		p.idle = append(p.idle, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	closeConn(c)
}

// close closes idle connections; busy ones close when released.
func (p *pgPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		closeConn(c)
	}
}

func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.Close(ctx)
}
