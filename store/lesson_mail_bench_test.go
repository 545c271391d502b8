package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

// BenchmarkCourseSchedules: the live and next lesson of a catalogue page
// (50 courses) among 10,000 published courses with 10 lessons each
// (100,000 lessons), the query the catalogue adds to every listing; on
// each backend, p50 and p99.
func BenchmarkCourseSchedules(b *testing.B) {
	for _, be := range testBackends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			seedCatalogue(b, s, 10_000)
			ctx := context.Background()
			courses, err := s.ListCourses(ctx, classroom.CourseQuery{Page: classroom.Page{Limit: 200}})
			if err != nil {
				b.Fatal(err)
			}
			var ids []string
			err = s.db.tx(ctx, func(q querier) error {
				rs, err := q.query(ctx, "SELECT id FROM courses")
				if err := scanAll(rs, err, func(rs rows) error {
					var id string
					if err := rs.Scan(&id); err != nil {
						return err
					}
					ids = append(ids, id)
					return nil
				}); err != nil {
					return err
				}
				now := time.Now().UnixMilli()
				for i, id := range ids {
					for k := range 10 {
						status := "scheduled"
						if k < 4 {
							status = "ended"
						} else if k == 4 && i%20 == 0 {
							status = "live"
						}
						start := now + int64(k-4)*7*24*3600*1000
						if _, err := q.exec(ctx, `INSERT INTO lessons (id, course_id, title, starts_at, duration_seconds, status, created_at, updated_at)
							VALUES (?, ?, 'Lesson', ?, 3600, ?, 1, 1)`, uuid.NewString(), id, start, status); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			page := make([]string, 0, 50)
			for _, c := range courses[:50] {
				page = append(page, c.ID)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				got, err := s.CourseSchedules(ctx, page, time.Now())
				if err != nil || len(got) != 50 {
					b.Fatalf("%d schedules, %v", len(got), err)
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
