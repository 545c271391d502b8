package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

var (
	searchWords = []string{"rust", "go", "poetry", "calculus", "piano", "chinese", "spanish", "drawing",
		"physics", "chemistry", "history", "cooking", "yoga", "guitar", "statistics", "photography"}
	searchWordsZH = []string{"编程", "数学", "钢琴", "诗词", "历史", "摄影", "烹饪", "书法",
		"物理", "化学", "吉他", "瑜伽", "统计", "绘画", "西班牙语", "中文"}
)

// rareChinese is a two-character word that only course i of the seed
// holds (its description): characters no other seeded text has.
func rareChinese(i int) string {
	return string([]rune{0x6000 + rune(i/64), 0x7000 + rune(i%64)})
}

// seedCatalogue writes n published courses by 100 teachers in one
// transaction, each with two tags, half of them with Chinese titles,
// summaries and a description holding a word no other course has
// (rareChinese), and their search documents.
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
			k1, k2 := rng.IntN(len(searchWords)), rng.IntN(len(searchWords))
			title := fmt.Sprintf("%s for beginners %d", searchWords[k1], i)
			summary := fmt.Sprintf("Learn %s and %s in ten evenings", searchWords[k1], searchWords[k2])
			if i%2 == 1 {
				title = fmt.Sprintf("%s入门第%d期", searchWordsZH[k1], i)
				summary = fmt.Sprintf("十个晚上学会%s和%s", searchWordsZH[k1], searchWordsZH[k2])
			}
			desc := ""
			if i%2 == 1 {
				desc = "关键词：" + rareChinese(i)
			}
			c := classroom.Course{ID: uuid.NewString(), Tags: []string{searchWords[k2], searchWordsZH[k2]}}
			if _, err := q.exec(ctx, `INSERT INTO courses (id, teacher_id, title, summary, description, state, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 'published', ?, ?)`, c.ID, teachers[rng.IntN(len(teachers))],
				title, summary, desc, int64(i), int64(i)); err != nil {
				return err
			}
			if err := putTags(ctx, q, c); err != nil {
				return err
			}
			if err := indexCourse(ctx, q, c.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// PostgreSQL's autovacuum analyses a table this size within a minute
	// of the writes; do it now. SQLite is never analysed by Lectern (the
	// search query fixes its join order itself).
	if s.Backend() == "postgres" {
		if _, err := s.db.exec(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCatalogueSearch: one catalogue page (the first 24 courses, as
// the web client asks) among 10,000 published courses on each backend:
// by an English word of three or more letters that one course in eight
// holds, by a number that one or two hold (both through SQLite's FTS5
// trigram index), by a two-character Chinese word (shorter than a
// trigram: the character grams, search_grams.go), by a two-character
// Chinese word that one course holds, by a tag, and two words at once.
// Reports p50 and p99 latency.
func BenchmarkCatalogueSearch(b *testing.B) {
	kinds := []struct {
		name string
		q    func(rng *rand.Rand) classroom.CourseQuery
	}{
		{"word", func(rng *rand.Rand) classroom.CourseQuery {
			return classroom.CourseQuery{Text: searchWords[2+rng.IntN(len(searchWords)-2)]} // not rust, go
		}},
		{"rare", func(rng *rand.Rand) classroom.CourseQuery {
			return classroom.CourseQuery{Text: strconv.Itoa(1000 + rng.IntN(9000))} // one course or two
		}},
		{"chinese", func(rng *rand.Rand) classroom.CourseQuery {
			return classroom.CourseQuery{Text: searchWordsZH[rng.IntN(len(searchWordsZH))]}
		}},
		{"chinese-rare", func(rng *rand.Rand) classroom.CourseQuery {
			return classroom.CourseQuery{Text: rareChinese(1 + 2*rng.IntN(5000))} // one course
		}},
		{"tag", func(rng *rand.Rand) classroom.CourseQuery {
			return classroom.CourseQuery{Tag: searchWordsZH[rng.IntN(len(searchWordsZH))]}
		}},
		{"two-words", func(rng *rand.Rand) classroom.CourseQuery {
			return classroom.CourseQuery{Text: searchWords[rng.IntN(len(searchWords))] + " " +
				searchWordsZH[rng.IntN(len(searchWordsZH))]}
		}},
	}
	for _, be := range testBackends {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b)
			seedCatalogue(b, s, 10_000)
			ctx := context.Background()
			for _, k := range kinds {
				b.Run(k.name, func(b *testing.B) {
					rng := rand.New(rand.NewPCG(3, 4))
					lat := make([]time.Duration, 0, 1024)
					for b.Loop() {
						q := k.q(rng)
						q.States, q.Page = []classroom.CourseState{classroom.StatePublished}, classroom.Page{Limit: 24}
						start := time.Now()
						if _, err := s.ListCourses(ctx, q); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(start))
					}
					slices.Sort(lat)
					if len(lat) > 0 {
						b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
						b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
					}
				})
			}
		})
	}
}
