package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/lectern/lectern/classroom"
)

// Config says which database to open.
type Config struct {
	// DataDir holds the SQLite file (lectern.db) when DatabaseURL is empty.
	DataDir string
	// DatabaseURL, when set, selects PostgreSQL, e.g.
	// postgres://user:pass@host:5432/lectern?sslmode=disable.
	DatabaseURL string
	// MaxConns bounds the PostgreSQL pool (DefaultPostgresConns if 0).
	MaxConns int
	// Logger receives the store's logs; nil discards them.
	Logger *slog.Logger
}

// Store is Lectern's persistence. It implements classroom.Store. It is safe
// for concurrent use.
type Store struct {
	db     backend
	log    *slog.Logger
	now    func() time.Time
	closed atomic.Bool
}

var _ classroom.Store = (*Store)(nil)

// Open opens the database Config names. It does not migrate: call Migrate
// before use (lectern serve and lectern migrate do).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var (
		db  backend
		err error
	)
	if cfg.DatabaseURL != "" {
		db, err = openPostgres(ctx, cfg.DatabaseURL, cfg.MaxConns)
	} else {
		if cfg.DataDir == "" {
			return nil, errors.New("store: neither a data directory nor a database URL")
		}
		db, err = openSQLite(ctx, cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	log = log.With("backend", db.name())
	log.Debug("store opened")
	return &Store{db: db, log: log, now: time.Now}, nil
}

// Backend names the engine: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.db.name() }

// Close closes the database. It is idempotent.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.close()
}

// mapErr turns engine errors into classroom sentinels where one applies.
func (s *Store) mapErr(err error, unique error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNoRows):
		return classroom.ErrNotFound
	}
	switch s.db.classify(err) {
	case errUnique:
		if unique != nil {
			return unique
		}
		return classroom.ErrConflict
	case errForeignKey:
		return classroom.ErrNotFound
	}
	return err
}

// ms and fromMS convert times to and from the stored Unix milliseconds.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
