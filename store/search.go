package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/lectern/lectern/classroom"
	"golang.org/x/text/unicode/norm"
)

// maxSearchTerms bounds the words of one catalogue query; later words are
// ignored.
const maxSearchTerms = 8

// searchFold is the form search documents and query terms are compared
// in: NFC, lower case. Both engines then compare the same bytes.
func searchFold(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// searchTerms splits a catalogue query into folded words.
func searchTerms(text string) []string {
	f := strings.Fields(searchFold(text))
	return f[:min(len(f), maxSearchTerms)]
}

// indexCourse rewrites course id's search document from its stored title,
// summary, description, teacher's name and tags, inside q's transaction.
func indexCourse(ctx context.Context, q querier, id string) error {
	var title, summary, desc, teacher string
	if err := q.queryRow(ctx, `SELECT c.title, c.summary, c.description, t.display_name
		FROM courses c JOIN accounts t ON t.id = c.teacher_id WHERE c.id = ?`,
		[]any{&title, &summary, &desc, &teacher}, id); err != nil {
		return err
	}
	tags, err := courseTags(ctx, q, []string{id})
	if err != nil {
		return err
	}
	body := strings.Join(append([]string{title, summary, desc, teacher}, tags[id]...), "\n")
	folded := searchFold(body)
	_, err = q.exec(ctx, `INSERT INTO course_search (course_id, title, body, grams) VALUES (?, ?, ?, ?)
		ON CONFLICT (course_id) DO UPDATE SET title = excluded.title, body = excluded.body, grams = excluded.grams`,
		id, searchFold(title), folded, documentGrams(folded))
	return err
}

// indexTeacherCourses rewrites the search documents of the courses
// teacherID teaches (after a change of name).
func indexTeacherCourses(ctx context.Context, q querier, teacherID string) error {
	ids, err := queryIDs(ctx, q, "SELECT id FROM courses WHERE teacher_id = ?", teacherID)
	if err != nil {
		return err
	}
	return indexCourses(ctx, q, ids)
}

// indexCourses rewrites the search documents of ids.
func indexCourses(ctx context.Context, q querier, ids []string) error {
	for _, id := range ids {
		if err := indexCourse(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// queryIDs runs sql, which selects one text column, and returns its values.
func queryIDs(ctx context.Context, q querier, sql string, args ...any) ([]string, error) {
	var ids []string
	rs, err := q.query(ctx, sql, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var id string
		if err := rs.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// searchWhere returns the conditions (joined by AND) and arguments that
// keep the courses whose search document contains every term of text, and
// an ORDER BY prefix (with its arguments) that puts the courses whose
// title contains every term first. The caller joins course_search cs.
// Every term is a literal substring: quotes, operators and wildcards in
// it mean nothing. SQLite finds terms of three or more characters through
// its FTS5 trigram index (a quoted phrase, so FTS5 syntax is inert), and
// shorter terms of Chinese (Japanese, Korean) characters through the
// character grams (search_grams.go), then LIKE. PostgreSQL finds every
// term with LIKE, which pg_trgm's index serves, narrowed first by the
// grams for terms with such characters (pg_trgm makes no trigrams of them
// in the C locale). Only short terms without such characters ("go", "c")
// are a LIKE on every document.
func (s *Store) searchWhere(text string) (where []string, args []any, order string, orderArgs []any) {
	terms := searchTerms(text)
	if len(terms) == 0 {
		return nil, nil, "", nil
	}
	sqlite := s.db.name() == "sqlite"
	var phrases, grams []string
	var titleConds []string
	for _, t := range terms {
		pat := "%" + likeEscape(t) + "%"
		titleConds = append(titleConds, `cs.title LIKE ? ESCAPE '\'`)
		orderArgs = append(orderArgs, pat)
		if sqlite && utf8.RuneCountInString(t) >= 3 {
			phrases = append(phrases, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
			continue
		}
		grams = append(grams, termGrams(t)...)
		where = append(where, `cs.body LIKE ? ESCAPE '\'`)
		args = append(args, pat)
	}
	if len(phrases) > 0 {
		where = append(where, "cs.n IN (SELECT rowid FROM course_fts WHERE course_fts MATCH ?)")
		args = append(args, strings.Join(phrases, " AND "))
	}
	if len(grams) > 0 {
		// Grams are ASCII letters only: no syntax of either engine.
		if sqlite {
			where = append(where, "cs.n IN (SELECT rowid FROM course_grams WHERE course_grams MATCH ?)")
			args = append(args, strings.Join(grams, " AND "))
		} else {
			where = append(where, "cs.grams_tsv @@ to_tsquery('simple'::regconfig, ?)")
			args = append(args, strings.Join(grams, " & "))
		}
	}
	order = "CASE WHEN " + strings.Join(titleConds, " AND ") + " THEN 0 ELSE 1 END, "
	return where, args, order, orderArgs
}

// putTags replaces course c's tags.
func putTags(ctx context.Context, q querier, c classroom.Course) error {
	if _, err := q.exec(ctx, "DELETE FROM course_tags WHERE course_id = ?", c.ID); err != nil {
		return err
	}
	for i, t := range c.Tags {
		if _, err := q.exec(ctx, `INSERT INTO course_tags (course_id, key, tag, position) VALUES (?, ?, ?, ?)
			ON CONFLICT (course_id, key) DO NOTHING`, c.ID, classroom.TagKey(t), t, i); err != nil {
			return err
		}
	}
	return nil
}

// courseTags returns the tags of the courses ids, in each course's order.
func courseTags(ctx context.Context, q querier, ids []string) (map[string][]string, error) {
	out := make(map[string][]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rs, err := q.query(ctx, "SELECT course_id, tag FROM course_tags WHERE course_id IN (?"+
		strings.Repeat(", ?", len(ids)-1)+") ORDER BY course_id, position", args...)
	err = scanAll(rs, err, func(rs rows) error {
		var id, tag string
		if err := rs.Scan(&id, &tag); err != nil {
			return err
		}
		out[id] = append(out[id], tag)
		return nil
	})
	return out, err
}
