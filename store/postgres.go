package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationLockKey is the pg_advisory_xact_lock key that serialises
// migrators across nodes ("lectern" in ASCII).
const migrationLockKey = 0x6c6563746572

type pgDB struct {
	pool *pgxpool.Pool
	// rebound caches "?" → "$n" rewrites, keyed by statement text.
	rebound sync.Map
}

// openPostgres connects to url and checks the server answers.
func openPostgres(ctx context.Context, url string, maxConns int) (*pgDB, error) {
	p, err := newPgPool(ctx, url, maxConns)
	if err != nil {
		return nil, err
	}
	db := &pgDB{pool: p}
	if err := p.Ping(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	return db, nil
}

func (d *pgDB) name() string { return "postgres" }

func (d *pgDB) close() error { d.pool.Close(); return nil }

func (d *pgDB) ping(ctx context.Context) error { return d.pool.Ping(ctx) }

func (d *pgDB) poolStats() PoolStats {
	s := d.pool.Stat()
	return PoolStats{Max: int(s.MaxConns()), Open: int(s.TotalConns()), InUse: int(s.AcquiredConns()), Idle: int(s.IdleConns()),
		Waits: s.EmptyAcquireCount(), WaitSeconds: s.AcquireDuration().Seconds()}
}

// rebind rewrites "?" placeholders as $1, $2, …. Statements never contain
// a literal "?".
func (d *pgDB) rebind(q string) string {
	if v, ok := d.rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	d.rebound.Store(q, out)
	return out
}

func (d *pgDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := d.pool.Exec(ctx, d.rebind(q), args...)
	return tag.RowsAffected(), err
}

func (d *pgDB) query(ctx context.Context, q string, args ...any) (rows, error) {
	rs, err := d.pool.Query(ctx, d.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return &pgRows{Rows: rs}, nil
}

func (d *pgDB) queryRow(ctx context.Context, q string, dest []any, args ...any) error {
	return pgScanRow(d.pool.QueryRow(ctx, d.rebind(q), args...), dest)
}

func (d *pgDB) tx(ctx context.Context, fn func(querier) error) error {
	tx, err := d.pool.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(pgTx{tx: tx, db: d}); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	return tx.Commit(ctx)
}

func (d *pgDB) lockMigrations(ctx context.Context, q querier) error {
	_, err := q.exec(ctx, "SELECT pg_advisory_xact_lock("+strconv.Itoa(migrationLockKey)+")")
	return err
}

// lockCourse locks the course's row: FOR NO KEY UPDATE waits for another
// transaction holding it but not for rows that merely reference the course
// (their foreign-key checks take FOR KEY SHARE).
func (d *pgDB) lockCourse(ctx context.Context, q querier, courseID string) error {
	var id string
	err := q.queryRow(ctx, `SELECT id FROM courses WHERE id = ? FOR NO KEY UPDATE`, []any{&id}, courseID)
	if errors.Is(err, errNoRows) {
		return nil // the insert's foreign key refuses an unknown course
	}
	return err
}

func (d *pgDB) classify(err error) errKind {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return errOther
	}
	switch pe.Code {
	case "23505": // unique_violation
		return errUnique
	case "23503": // foreign_key_violation
		return errForeignKey
	}
	return errOther
}

type pgTx struct {
	tx pgx.Tx
	db *pgDB
}

func (t pgTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(ctx, t.db.rebind(q), args...)
	return tag.RowsAffected(), err
}

func (t pgTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	rs, err := t.tx.Query(ctx, t.db.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return &pgRows{Rows: rs}, nil
}

func (t pgTx) queryRow(ctx context.Context, q string, dest []any, args ...any) error {
	return pgScanRow(t.tx.QueryRow(ctx, t.db.rebind(q), args...), dest)
}

func pgScanRow(r pgx.Row, dest []any) error {
	err := r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return errNoRows
	}
	return err
}

// pgRows adapts pgx.Rows (closing them releases a pooled connection).
type pgRows struct{ pgx.Rows }
