package store

import (
	"context"
	"reflect"
	"testing"
)

// TestMigrateFromEmpty migrates an empty database on each backend, checks
// every table exists, and re-runs to check nothing changes.
func TestMigrateFromEmpty(t *testing.T) {
	migs, err := Migrations()
	if err != nil || len(migs) == 0 {
		t.Fatalf("Migrations() = %v, %v", migs, err)
	}
	var all []int64
	for _, m := range migs {
		all = append(all, m.Version)
	}
	for _, b := range []struct {
		name string
		cfg  func(t *testing.T) Config
	}{
		{"sqlite", func(t *testing.T) Config { return Config{DataDir: t.TempDir()} }},
		{"postgres", func(t *testing.T) Config { return Config{DatabaseURL: pgURL(t)} }},
	} {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, b.cfg(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, err := s.SchemaVersion(ctx); err != nil || v != 0 {
				t.Fatalf("empty database at version %d, %v", v, err)
			}
			applied, err := s.Migrate(ctx)
			if err != nil || !reflect.DeepEqual(applied, all) {
				t.Fatalf("Migrate = %v, %v; want %v", applied, err, all)
			}
			for _, table := range []string{"schema_migrations", "accounts", "avatars", "sessions",
				"password_resets", "courses", "course_covers", "course_assistants", "enrolments", "lessons"} {
				var n int64
				if err := s.db.queryRow(ctx, "SELECT COUNT(*) FROM "+table, []any{&n}); err != nil {
					t.Errorf("table %s: %v", table, err)
				}
			}
			var recorded int64
			s.db.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations", []any{&recorded})
			if recorded != int64(len(migs)) {
				t.Errorf("%d migrations recorded, want %d", recorded, len(migs))
			}
			again, err := s.Migrate(ctx)
			if err != nil || len(again) != 0 {
				t.Errorf("re-run applied %v, %v; want nothing", again, err)
			}
			s.db.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations", []any{&recorded})
			if recorded != int64(len(migs)) {
				t.Errorf("re-run recorded %d migrations, want %d", recorded, len(migs))
			}
		})
	}
}

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"-- only a comment\n", nil},
		{"CREATE TABLE a (x TEXT);\n\nCREATE INDEX i ON a (x);\n",
			[]string{"CREATE TABLE a (x TEXT)", "CREATE INDEX i ON a (x)"}},
		{"CREATE TABLE b (\n\tx TEXT\n);\n-- c\nSELECT 1",
			[]string{"CREATE TABLE b (\n\tx TEXT\n)", "SELECT 1"}},
	}
	for _, tt := range tests {
		if got := splitStatements(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitStatements(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMigrationsNumbered(t *testing.T) {
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	// Numbers are handed out per branch, so gaps are allowed; order is not
	// negotiable.
	for i, m := range migs {
		if m.Version <= 0 || (i > 0 && m.Version <= migs[i-1].Version) {
			t.Errorf("migration %s has version %d, out of order", m.Name, m.Version)
		}
	}
}
