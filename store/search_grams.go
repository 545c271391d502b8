package store

import (
	"context"
	"slices"
	"strings"
	"unicode"
)

// Character grams: the index that finds words of scripts written without
// spaces (Chinese, Japanese, Korean) that are too short for a trigram, and,
// on PostgreSQL, any of them (pg_trgm makes no trigrams of them in the C
// locale). A search document's grams are every such character and every
// pair of adjacent ones, each spelled as an ASCII word of letters
// ("u" and 6 letters for a character, "b" and 12 for a pair: its code
// points in base 16 with the digits a–p), which both engines' word
// tokenizers take whole: SQLite an FTS5 table (unicode61) over
// course_search.grams, PostgreSQL a GIN index on the stored column
// grams_tsv = to_tsvector('simple', grams). A query term's grams must all be in the
// document; the LIKE on the document then decides, so grams only narrow.

// gramRune reports whether r is of a script written without spaces.
func gramRune(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// gramLetters spells r's code point as 6 letters a–p.
func gramLetters(b *strings.Builder, r rune) {
	for shift := 20; shift >= 0; shift -= 4 {
		b.WriteByte(byte('a' + (r>>shift)&0xf))
	}
}

func unigram(r rune) string {
	var b strings.Builder
	b.WriteByte('u')
	gramLetters(&b, r)
	return b.String()
}

func bigram(r1, r2 rune) string {
	var b strings.Builder
	b.WriteByte('b')
	gramLetters(&b, r1)
	gramLetters(&b, r2)
	return b.String()
}

// gramRuns splits folded text into its runs of gram runes.
func gramRuns(text string) [][]rune {
	var runs [][]rune
	var cur []rune
	for _, r := range text {
		if gramRune(r) {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// documentGrams is a search document's grams, sorted, without
// duplicates, space-separated.
func documentGrams(body string) string {
	set := map[string]struct{}{}
	for _, run := range gramRuns(body) {
		for i, r := range run {
			set[unigram(r)] = struct{}{}
			if i > 0 {
				set[bigram(run[i-1], r)] = struct{}{}
			}
		}
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// termGrams is what a query term needs of a document's grams: each run of
// gram runes' pairs, or its character when the run is one long; nil when
// the term has none.
func termGrams(term string) []string {
	var out []string
	for _, run := range gramRuns(term) {
		if len(run) == 1 {
			out = append(out, unigram(run[0]))
			continue
		}
		for i := 1; i < len(run); i++ {
			out = append(out, bigram(run[i-1], run[i]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// indexMissingGrams writes the documents that have no grams yet (courses
// indexed before migration 0018 added them), a batch per transaction.
func (s *Store) indexMissingGrams(ctx context.Context) (int, error) {
	n := 0
	for {
		ids, err := queryIDs(ctx, s.db, "SELECT course_id FROM course_search WHERE grams IS NULL ORDER BY course_id LIMIT 200")
		if err != nil || len(ids) == 0 {
			return n, err
		}
		if err := s.db.tx(ctx, func(q querier) error { return indexCourses(ctx, q, ids) }); err != nil {
			return n, err
		}
		n += len(ids)
	}
}
