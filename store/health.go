package store

import (
	"context"
	"database/sql"
)

// healthReporter is implemented by both backends.
type healthReporter interface {
	ping(ctx context.Context) error
	poolStats() PoolStats
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.db.(healthReporter).ping(ctx)
}

// PoolStats returns the connection pool's figures.
func (s *Store) PoolStats() PoolStats { return s.db.(healthReporter).poolStats() }

func (d *sqliteDB) ping(ctx context.Context) error {
	var one int
	return d.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

func (d *sqliteDB) poolStats() PoolStats { return sqlPoolStats(d.db.Stats()) }

func sqlPoolStats(s sql.DBStats) PoolStats {
	return PoolStats{Max: s.MaxOpenConnections, Open: s.OpenConnections, InUse: s.InUse, Idle: s.Idle,
		Waits: s.WaitCount, WaitSeconds: s.WaitDuration.Seconds()}
}
