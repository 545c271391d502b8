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

// BillingCounts returns the number of orders and of refunds in each status.
func (s *Store) BillingCounts(ctx context.Context) (orders, refunds map[string]int64, err error) {
	count := func(table string) (map[string]int64, error) {
		rs, err := s.db.query(ctx, "SELECT status, COUNT(*) FROM "+table+" GROUP BY status")
		out := map[string]int64{}
		err = scanAll(rs, err, func(r rows) error {
			var st string
			var n int64
			if err := r.Scan(&st, &n); err != nil {
				return err
			}
			out[st] = n
			return nil
		})
		return out, err
	}
	if orders, err = count("billing_orders"); err != nil {
		return nil, nil, err
	}
	refunds, err = count("billing_refunds")
	return orders, refunds, err
}
