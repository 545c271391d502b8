// Package store persists Lectern's data behind the interfaces declared by
// the packages that use them (classroom.Store now, billing's later). It has
// two backends with one schema and one set of SQL statements:
//
//   - SQLite through modernc.org/sqlite (pure Go), the default: one file,
//     <data dir>/lectern.db, in WAL mode with foreign keys on, a busy
//     timeout and synchronous=FULL, so a killed process loses nothing it
//     committed.
//   - PostgreSQL through github.com/jackc/pgx/v5, chosen by a database URL,
//     with a small connection pool; every statement runs under the caller's
//     context, so request deadlines reach the server.
//
// The schema grows by forward-only migrations embedded from migrations/*.sql
// (NNNN_name.sql, applied in order, each in its own transaction and recorded
// in schema_migrations). The SQL is a subset both engines accept: TEXT,
// BIGINT (times are Unix milliseconds), BYTEA (SQLite stores it as a blob),
// "?" placeholders (rewritten to $n for PostgreSQL), ON CONFLICT and no
// engine-specific functions. To add tables, add the next numbered file.
// The one exception is the catalogue search (search.go): each engine's own
// trigram index (SQLite FTS5, PostgreSQL pg_trgm) over search documents
// the store writes.
//
// LockDataDir keeps a second server off the same data directory.
//
// store knows no domain rules: validation is classroom's. It must not
// import api, signaling or sfu.
package store
