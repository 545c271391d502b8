package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

var searchWords = []string{"rust", "go", "poetry", "calculus", "piano", "chinese", "spanish", "drawing",
	"physics", "chemistry", "history", "cooking", "yoga", "guitar", "statistics", "photography"}

// seedCatalogue writes n published courses by 100 teachers in one
// transaction.
func seedCatalogue(b *testing.B, s *Store, n int) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	teachers := make([]string, 100)
	err := s.db.tx(ctx, func(q querier) error {
		for i := range teachers {
			teachers[i] = uuid.NewString()
			if _, err := q.exec(ctx, `INSERT INTO accounts (id, email, display_name, password_hash, roles, created_at, updated_at)
				VALUES (?, ?, ?, 'x', 'teacher', 1, 1)`, teachers[i], fmt.Sprintf("t%d@example.org", i),
				fmt.Sprintf("Teacher %s %d", searchWords[i%len(searchWords)], i)); err != nil {
				return err
			}
		}
		for i := range n {
			w1, w2 := searchWords[rng.IntN(len(searchWords))], searchWords[rng.IntN(len(searchWords))]
			if _, err := q.exec(ctx, `INSERT INTO courses (id, teacher_id, title, summary, state, created_at, updated_at)
				VALUES (?, ?, ?, ?, 'published', ?, ?)`, uuid.NewString(), teachers[rng.IntN(len(teachers))],
				fmt.Sprintf("%s for beginners %d", w1, i), fmt.Sprintf("Learn %s and %s in ten evenings", w1, w2),
				int64(i), int64(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCatalogueSearch: one catalogue search (first page of 50) by a
// word of the title, summary or teacher's name among 10,000 published
// courses, on each backend; reports p50 and p99 latency.
func BenchmarkCatalogueSearch(b *testing.B) {
	for _, be := range testBackends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			seedCatalogue(b, s, 10_000)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(3, 4))
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for b.Loop() {
				q := classroom.CourseQuery{States: []classroom.CourseState{classroom.StatePublished},
					Text: searchWords[rng.IntN(len(searchWords))], Page: classroom.Page{Limit: 50}}
				start := time.Now()
				if _, err := s.ListCourses(ctx, q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}
