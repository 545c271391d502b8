package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLiteFile is the database file's name inside the data directory.
const SQLiteFile = "lectern.db"

// SQLite connection settings.
const (
	sqliteBusyTimeoutMS = 5000 // wait this long for a writer's lock
	sqliteMaxConns      = 8    // readers run in parallel in WAL mode
)

type sqliteDB struct {
	db *sql.DB
}

// openSQLite opens (creating if needed) <dir>/lectern.db.
func openSQLite(ctx context.Context, dir string) (*sqliteDB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, SQLiteFile))
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(sqliteBusyTimeoutMS))
	q.Set("_foreign_keys", "1")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	// Write transactions take the write lock at BEGIN, so two of them wait
	// on the busy timeout instead of failing on a lock upgrade.
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(sqliteMaxConns)
	db.SetMaxIdleConns(sqliteMaxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &sqliteDB{db: db}, nil
}

func (s *sqliteDB) name() string { return "sqlite" }

func (s *sqliteDB) close() error { return s.db.Close() }

func (s *sqliteDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, s.db, q, args)
}

func (s *sqliteDB) query(ctx context.Context, q string, args ...any) (rows, error) {
	return sqlQuery(ctx, s.db, q, args)
}

func (s *sqliteDB) queryRow(ctx context.Context, q string, dest []any, args ...any) error {
	return sqlQueryRow(ctx, s.db, q, dest, args)
}

func (s *sqliteDB) tx(ctx context.Context, fn func(querier) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(sqliteTx{tx}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// lockMigrations has nothing to do: BEGIN IMMEDIATE already holds the
// database's only write lock.
func (s *sqliteDB) lockMigrations(context.Context, querier) error { return nil }

// lockCourse has nothing to do: BEGIN IMMEDIATE already holds the
// database's only write lock, which every process shares.
func (s *sqliteDB) lockCourse(context.Context, querier, string) error { return nil }

func (s *sqliteDB) classify(err error) errKind {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return errOther
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return errUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return errForeignKey
	}
	return errOther
}

type sqliteTx struct{ tx *sql.Tx }

func (t sqliteTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, t.tx, q, args)
}

func (t sqliteTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	return sqlQuery(ctx, t.tx, q, args)
}

func (t sqliteTx) queryRow(ctx context.Context, q string, dest []any, args ...any) error {
	return sqlQueryRow(ctx, t.tx, q, dest, args)
}

// sqlConn is what *sql.DB and *sql.Tx share.
type sqlConn interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func sqlExec(ctx context.Context, c sqlConn, q string, args []any) (int64, error) {
	res, err := c.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func sqlQuery(ctx context.Context, c sqlConn, q string, args []any) (rows, error) {
	rs, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rs}, nil
}

func sqlQueryRow(ctx context.Context, c sqlConn, q string, dest []any, args []any) error {
	err := c.QueryRowContext(ctx, q, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoRows
	}
	return err
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }
