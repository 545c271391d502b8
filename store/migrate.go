package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one embedded schema change.
type Migration struct {
	Version int64  // from the file name's numeric prefix
	Name    string // file name, e.g. 0001_accounts_courses.sql
	SQL     string
}

// Migrations returns the embedded migrations in version order. Names must
// be NNNN_description.sql with unique, increasing versions.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	ms := make([]Migration, 0, len(names))
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("%w: bad migration file name %q", ErrMigration, base)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return int(a.Version - b.Version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("%w: two migrations numbered %d", ErrMigration, ms[i].Version)
		}
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// Migrate applies, in order, every embedded migration the database has not
// recorded yet. Each runs in its own transaction together with its row in
// schema_migrations, so a failure leaves the database at the previous
// version. Concurrent migrators (two nodes starting at once) are
// serialised. It returns the versions it applied; none on a re-run.
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	migs, err := Migrations()
	if err != nil {
		return nil, err
	}
	if _, err := s.db.exec(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("%w: create schema_migrations: %v", ErrMigration, err)
	}
	var applied []int64
	for _, m := range migs {
		done := false
		err := s.db.tx(ctx, func(q querier) error {
			if err := s.db.lockMigrations(ctx, q); err != nil {
				return err
			}
			var n int64
			if err := q.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
				[]any{&n}, m.Version); err != nil {
				return err
			}
			if n > 0 {
				done = true
				return nil
			}
			for i, stmt := range splitStatements(onlyFor(m.SQL, s.Backend())) {
				if _, err := q.exec(ctx, stmt); err != nil {
					return fmt.Errorf("statement %d: %w", i+1, err)
				}
			}
			_, err := q.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, ms(s.now()))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("%w: %s: %v", ErrMigration, m.Name, err)
		}
		if !done {
			applied = append(applied, m.Version)
			s.log.Info("migration applied", "version", m.Version, "name", m.Name)
		}
	}
	var newest int64
	if err := s.db.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", []any{&newest}); err != nil {
		return applied, err
	}
	if newest >= 18 {
		// Search documents written before 0018 get their grams (Go
		// computes them); nothing to do on later runs.
		if n, err := s.indexMissingGrams(ctx); err != nil {
			return applied, fmt.Errorf("%w: search grams: %v", ErrMigration, err)
		} else if n > 0 {
			s.log.Info("search grams written", "documents", n)
		}
	}
	if len(migs) > 0 && newest > migs[len(migs)-1].Version {
		return applied, fmt.Errorf("%w: database at version %d, binary knows up to %d",
			ErrSchemaTooNew, newest, migs[len(migs)-1].Version)
	}
	return applied, nil
}

// SchemaVersion returns the highest applied migration, 0 if none.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", []any{&v})
	if err != nil && strings.Contains(err.Error(), "schema_migrations") {
		return 0, nil // table not created yet
	}
	return v, err
}

// onlyFor keeps the lines of a migration meant for backend: a line
// "-- only sqlite" or "-- only postgres" starts lines for that backend
// alone, "-- only end" ends them (for triggers, whose syntax differs).
func onlyFor(src, backend string) string {
	var b strings.Builder
	keep := true
	for _, line := range strings.Split(src, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- only "); ok {
			rest = strings.TrimSpace(rest)
			keep = rest == "end" || rest == backend
			continue
		}
		if keep {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// splitStatements splits a migration at semicolons that end a line.
// "--" comment lines are dropped. Statements must not contain a semicolon
// at the end of an inner line.
func splitStatements(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			out = append(out, stmt)
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
