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
)

// migrationLockKey is the pg_advisory_xact_lock key that serialises
// migrators across nodes ("lectern" in ASCII).
const migrationLockKey = 0x6c6563746572

type pgDB struct {
	pool *pgPool
	// rebound caches "?" → "$n" rewrites, keyed by statement text.
	rebound sync.Map
}

// openPostgres connects to url and checks the server answers.
func openPostgres(ctx context.Context, url string, maxConns int) (*pgDB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: database URL: %w", err)
	}
	p := newPgPool(cfg, maxConns)
	db := &pgDB{pool: p}
	var one int64
	if err := db.queryRow(ctx, "SELECT 1", []any{&one}); err != nil {
		p.close()
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	return db, nil
}

func (d *pgDB) name() string { return "postgres" }

func (d *pgDB) close() error { d.pool.close(); return nil }

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
	c, err := d.pool.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer d.pool.release(c)
	tag, err := c.Exec(ctx, d.rebind(q), args...)
	return tag.RowsAffected(), err
}

func (d *pgDB) query(ctx context.Context, q string, args ...any) (rows, error) {
	c, err := d.pool.acquire(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := c.Query(ctx, d.rebind(q), args...)
	if err != nil {
		d.pool.release(c)
		return nil, err
	}
	return &pgRows{Rows: rs, done: func() { d.pool.release(c) }}, nil
}

func (d *pgDB) queryRow(ctx context.Context, q string, dest []any, args ...any) error {
	c, err := d.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer d.pool.release(c)
	return pgScanRow(c.QueryRow(ctx, d.rebind(q), args...), dest)
}

func (d *pgDB) tx(ctx context.Context, fn func(querier) error) error {
	c, err := d.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer d.pool.release(c)
	tx, err := c.Begin(ctx)
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

// pgRows releases its pooled connection when closed.
type pgRows struct {
	pgx.Rows
	done func() // nil inside a transaction
	once sync.Once
}

func (r *pgRows) Close() {
	r.Rows.Close()
	if r.done != nil {
		r.once.Do(r.done)
	}
}
