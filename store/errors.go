package store

import "errors"

// Sentinel errors.
var (
	// ErrLocked means another process holds the data directory.
	ErrLocked = errors.New("store: data directory in use by another lectern process")
	// ErrClosed means the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrMigration wraps a failed migration.
	ErrMigration = errors.New("store: migration failed")
	// ErrSchemaTooNew means the database has migrations this binary does not
	// know: it was migrated by a newer lectern.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this binary")
)

// errNoRows is what both backends' "no row" becomes.
var errNoRows = errors.New("store: no rows")
