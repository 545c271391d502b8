package store

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestGrams(t *testing.T) {
	for _, c := range []struct {
		term string
		want []string
	}{
		{"go", nil},
		{"诗", []string{unigram('诗')}},
		{"并发", []string{bigram('并', '发')}},
		{"并发编程", []string{bigram('并', '发'), bigram('发', '编'), bigram('编', '程')}},
		{"go并发", []string{bigram('并', '发')}},
		{"c语", []string{unigram('语')}},
		{"かな", []string{bigram('か', 'な')}},
		{"한국", []string{bigram('한', '국')}},
		{"𠀀字", []string{bigram('𠀀', '字')}}, // outside the BMP
		{"诗诗", []string{bigram('诗', '诗')}},
	} {
		want := slices.Clone(c.want)
		slices.Sort(want)
		if got := termGrams(c.term); !slices.Equal(got, want) {
			t.Errorf("termGrams(%q) = %v, want %v", c.term, got, want)
		}
	}
	if u := unigram('诗'); len(u) != 7 || strings.Trim(u, "abcdefghijklmnopu") != "" {
		t.Errorf("unigram %q is not 7 letters", u)
	}
	if unigram('𠀀') == unigram('一') || bigram('一', '二') == bigram('二', '一') {
		t.Error("grams collide")
	}
	doc := documentGrams("go 并发编程\n诗")
	for _, g := range append(termGrams("并发编程"), termGrams("诗")[0], unigram('并'), unigram('程')) {
		if !slices.Contains(strings.Fields(doc), g) {
			t.Errorf("document grams %q lack %q", doc, g)
		}
	}
	if slices.Contains(strings.Fields(doc), bigram('程', '诗')) {
		t.Error("a pair across a line break")
	}
}

// queryPlan is the engine's plan of q: EXPLAIN QUERY PLAN's details
// (SQLite) or EXPLAIN's lines with sequential scans priced out, so that a
// small table still shows whether an index can serve q (PostgreSQL).
func queryPlan(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	var plan []string
	sqlite := s.db.name() == "sqlite"
	err := s.db.tx(ctx, func(tx querier) error {
		explain := "EXPLAIN QUERY PLAN "
		if !sqlite {
			explain = "EXPLAIN "
			if _, err := tx.exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
		}
		rs, err := tx.query(ctx, explain+q, args...)
		return scanAll(rs, err, func(rs rows) error {
			var id, parent, unused int64
			var detail string
			dest := []any{&detail}
			if sqlite {
				dest = []any{&id, &parent, &unused, &detail}
			}
			if err := rs.Scan(dest...); err != nil {
				return err
			}
			plan = append(plan, detail)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// TestSearchGramsIndexed: a search for a one- or two-character Chinese
// word is answered from the grams index, not by reading every document:
// the plan shows the FTS5 table (SQLite) or the GIN index (PostgreSQL).
func TestSearchGramsIndexed(t *testing.T) {
	for _, be := range testBackends {
		t.Run(be.name, func(t *testing.T) {
			s := be.open(t)
			index := "course_grams"
			if s.db.name() != "sqlite" {
				index = "course_search_grams"
			}
			for _, text := range []string{"诗", "并发"} {
				where, args, _, _ := s.searchWhere(text)
				plan := queryPlan(t, s, "SELECT cs.course_id FROM course_search cs WHERE "+strings.Join(where, " AND "), args...)
				if !strings.Contains(plan, index) {
					t.Errorf("%q: the plan does not use %s:\n%s", text, index, plan)
				}
				t.Logf("%q:\n%s", text, plan)
			}
		})
	}
}
