package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultPostgresConns is the default size of the PostgreSQL pool.
const DefaultPostgresConns = 10

// newPgPool opens a pgxpool of at most max connections (DefaultPostgresConns
// if max <= 0). Connections left broken or inside a transaction by a
// cancelled context are discarded by pgxpool on release.
func newPgPool(ctx context.Context, url string, max int) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: database URL: %w", err)
	}
	if max <= 0 {
		max = DefaultPostgresConns
	}
	cfg.MaxConns = int32(max)
	return pgxpool.NewWithConfig(ctx, cfg)
}

// PoolStats are the database pool's figures.
type PoolStats struct {
	Max, Open, InUse, Idle int
	// Waits counts acquisitions that had to wait; WaitSeconds their total.
	Waits       int64
	WaitSeconds float64
}
