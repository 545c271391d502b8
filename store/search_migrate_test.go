package store

import (
	"context"
	"slices"
	"testing"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/pgtest"
)

// TestSearchMigration: courses that exist before migration 0017 are in
// the search index after it (found by title, summary and teacher, and by
// one- and two-character Chinese words once 0018's grams are written),
// on both backends.
func TestSearchMigration(t *testing.T) {
	for _, be := range []struct {
		name string
		cfg  func(t *testing.T) Config
	}{
		{"sqlite", func(t *testing.T) Config { return Config{DataDir: t.TempDir()} }},
		{"postgres", func(t *testing.T) Config { return Config{DatabaseURL: pgtest.URL(t)} }},
	} {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, be.cfg(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			migs, err := Migrations()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.exec(ctx, createMigrationsTable); err != nil {
				t.Fatal(err)
			}
			for _, m := range migs {
				if m.Version >= 17 {
					break
				}
				err := s.db.tx(ctx, func(q querier) error {
					for _, stmt := range splitStatements(onlyFor(m.SQL, s.Backend())) {
						if _, err := q.exec(ctx, stmt); err != nil {
							return err
						}
					}
					_, err := q.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 1)", m.Version, m.Name)
					return err
				})
				if err != nil {
					t.Fatalf("%s: %v", m.Name, err)
				}
			}
			if _, err := s.db.exec(ctx, `INSERT INTO accounts (id, email, display_name, password_hash, roles, created_at, updated_at)
				VALUES ('a1', 'li@example.org', 'Li Bai', 'x', 'teacher', 1, 1)`); err != nil {
				t.Fatal(err)
			}
			for _, c := range [][4]string{{"c1", "Old Poems", "唐诗三百首", "published"}, {"c2", "Old draft", "唐诗", "draft"}} {
				if _, err := s.db.exec(ctx, `INSERT INTO courses (id, teacher_id, title, summary, state, created_at, updated_at)
					VALUES (?, 'a1', ?, ?, ?, 1, 1)`, c[0], c[1], c[2], c[3]); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			// "诗" and "唐诗" go through the character grams, which the
			// store writes for these older documents after migrating.
			for _, text := range []string{"poems", "唐诗", "诗", "li bai"} {
				list, err := s.ListCourses(ctx, classroom.CourseQuery{Text: text, States: []classroom.CourseState{classroom.StatePublished}})
				var ids []string
				for _, c := range list {
					ids = append(ids, c.ID)
				}
				if err != nil || !slices.Equal(ids, []string{"c1"}) {
					t.Errorf("%q after the migration: %v, %v", text, ids, err)
				}
			}
		})
	}
}
