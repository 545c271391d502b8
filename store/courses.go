package store

import (
	"cmp"
	"context"
	"strings"

	"github.com/lectern/lectern/classroom"
)

const courseCols = `c.id, c.teacher_id, t.display_name, c.title, c.summary, c.description,
	c.cover_type, c.state, c.revision, c.submitted_revision, c.submitted_at, c.review_note,
	c.reviewed_by, c.reviewed_at, c.created_at, c.updated_at`

const courseFrom = ` FROM courses c JOIN accounts t ON t.id = c.teacher_id`

type courseRow struct {
	c                   classroom.Course
	state               string
	submitted, reviewed int64
	created, updated    int64
}

func (r *courseRow) dest() []any {
	return []any{&r.c.ID, &r.c.TeacherID, &r.c.TeacherName, &r.c.Title, &r.c.Summary,
		&r.c.Description, &r.c.CoverType, &r.state, &r.c.Revision, &r.c.SubmittedRevision, &r.submitted,
		&r.c.Note, &r.c.ReviewedBy, &r.reviewed, &r.created, &r.updated}
}

func (r *courseRow) course() classroom.Course {
	r.c.State = classroom.CourseState(r.state)
	r.c.SubmittedAt, r.c.ReviewedAt = fromMS(r.submitted), fromMS(r.reviewed)
	r.c.CreatedAt, r.c.UpdatedAt = fromMS(r.created), fromMS(r.updated)
	return r.c
}

// CreateCourse implements classroom.Courses.
func (s *Store) CreateCourse(ctx context.Context, c classroom.Course) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		if _, err := q.exec(ctx, `INSERT INTO courses (id, teacher_id, title, summary, description,
			cover_type, state, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.TeacherID, c.Title, c.Summary, c.Description, c.CoverType,
			string(cmp.Or(c.State, classroom.StateDraft)), max(c.Revision, 1),
			ms(c.CreatedAt), ms(c.UpdatedAt)); err != nil {
			return err
		}
		return putCourseExtras(ctx, q, c)
	}), nil)
}

// putCourseExtras writes what a course has besides its row: assistants,
// tags and search document.
func putCourseExtras(ctx context.Context, q querier, c classroom.Course) error {
	if err := putAssistants(ctx, q, c); err != nil {
		return err
	}
	if err := putTags(ctx, q, c); err != nil {
		return err
	}
	return indexCourse(ctx, q, c.ID)
}

// UpdateCourse implements classroom.Courses. Each update counts a new
// revision, so a review decision taken on an older one is refused.
func (s *Store) UpdateCourse(ctx context.Context, c classroom.Course) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE courses SET title = ?, summary = ?, description = ?,
			revision = revision + 1, updated_at = ? WHERE id = ?`, c.Title, c.Summary, c.Description,
			ms(c.UpdatedAt), c.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrNotFound
		}
		if _, err := q.exec(ctx, "DELETE FROM course_assistants WHERE course_id = ?", c.ID); err != nil {
			return err
		}
		return putCourseExtras(ctx, q, c)
	}), nil)
}

func putAssistants(ctx context.Context, q querier, c classroom.Course) error {
	for _, m := range c.Assistants {
		if _, err := q.exec(ctx, `INSERT INTO course_assistants (course_id, account_id) VALUES (?, ?)
			ON CONFLICT (course_id, account_id) DO NOTHING`, c.ID, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// Course implements classroom.Courses.
func (s *Store) Course(ctx context.Context, id string) (classroom.Course, error) {
	var r courseRow
	if err := s.db.queryRow(ctx, "SELECT "+courseCols+courseFrom+" WHERE c.id = ?", r.dest(), id); err != nil {
		return classroom.Course{}, s.mapErr(err, nil)
	}
	c := r.course()
	rs, err := s.db.query(ctx, `SELECT a.id, a.display_name FROM course_assistants ca
		JOIN accounts a ON a.id = ca.account_id WHERE ca.course_id = ? ORDER BY a.display_name, a.id`, id)
	err = scanAll(rs, err, func(rs rows) error {
		var m classroom.Member
		if err := rs.Scan(&m.ID, &m.DisplayName); err != nil {
			return err
		}
		c.Assistants = append(c.Assistants, m)
		return nil
	})
	if err == nil {
		var tags map[string][]string
		tags, err = courseTags(ctx, s.db, []string{id})
		c.Tags = tags[id]
	}
	return c, s.mapErr(err, nil)
}

// ListCourses implements classroom.Courses.
func (s *Store) ListCourses(ctx context.Context, cq classroom.CourseQuery) ([]classroom.Course, error) {
	limit, offset := pageArgs(cq.Page)
	sw, sargs, order, orderArgs := s.searchWhere(cq.Text)
	q := "SELECT " + courseCols + courseFrom
	args := []any{}
	var where []string
	if sw != nil {
		// The search drives: CROSS JOIN keeps SQLite's planner from
		// walking every course and probing the matches for each.
		q = "SELECT " + courseCols + " FROM course_search cs CROSS JOIN courses c JOIN accounts t ON t.id = c.teacher_id"
		where = append(where, "c.id = cs.course_id")
		where = append(where, sw...)
		args = append(args, sargs...)
	}
	if cq.TeacherID != "" {
		where = append(where, "c.teacher_id = ?")
		args = append(args, cq.TeacherID)
	}
	if len(cq.States) > 0 {
		where = append(where, "c.state IN (?"+strings.Repeat(", ?", len(cq.States)-1)+")")
		for _, st := range cq.States {
			args = append(args, string(st))
		}
	}
	if cq.Tag != "" {
		where = append(where, "EXISTS (SELECT 1 FROM course_tags ct WHERE ct.course_id = c.id AND ct.key = ?)")
		args = append(args, classroom.TagKey(cq.Tag))
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY " + order + "c.created_at DESC, c.id LIMIT ? OFFSET ?"
	args = append(append(args, orderArgs...), limit, offset)
	var out []classroom.Course
	rs, err := s.db.query(ctx, q, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var r courseRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.course())
		return nil
	})
	if err != nil {
		return nil, s.mapErr(err, nil)
	}
	ids := make([]string, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	tags, err := courseTags(ctx, s.db, ids)
	for i := range out {
		out[i].Tags = tags[out[i].ID]
	}
	return out, s.mapErr(err, nil)
}

// SetCourseCover implements classroom.Courses.
func (s *Store) SetCourseCover(ctx context.Context, courseID string, img classroom.Image) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, "UPDATE courses SET cover_type = ?, updated_at = ? WHERE id = ?",
			img.ContentType, ms(img.UpdatedAt), courseID)
		if err != nil {
			return err
		}
		if n == 0 {
			return classroom.ErrNotFound
		}
		return putImage(ctx, q, "course_covers", "course_id", courseID, img)
	}), nil)
}

// CourseCover implements classroom.Courses.
func (s *Store) CourseCover(ctx context.Context, courseID string) (classroom.Image, error) {
	img, err := getImage(ctx, s.db, "course_covers", "course_id", courseID)
	return img, s.mapErr(err, nil)
}

// Enrol implements classroom.Courses.
func (s *Store) Enrol(ctx context.Context, e classroom.Enrolment) error {
	_, err := s.db.exec(ctx, "INSERT INTO enrolments (course_id, account_id, created_at) VALUES (?, ?, ?)",
		e.CourseID, e.AccountID, ms(e.CreatedAt))
	return s.mapErr(err, classroom.ErrAlreadyEnrolled)
}

// Enrolled implements classroom.Courses.
func (s *Store) Enrolled(ctx context.Context, courseID, accountID string) (bool, error) {
	var n int64
	err := s.db.queryRow(ctx, "SELECT COUNT(*) FROM enrolments WHERE course_id = ? AND account_id = ?",
		[]any{&n}, courseID, accountID)
	return n > 0, s.mapErr(err, nil)
}

// relationCase computes an account's relation to course c in SQL; it takes
// the account ID three times.
const relationCase = `CASE WHEN c.teacher_id = ? THEN 'teacher'
	WHEN EXISTS (SELECT 1 FROM course_assistants ca WHERE ca.course_id = c.id AND ca.account_id = ?) THEN 'assistant'
	WHEN EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.id AND e.account_id = ?) THEN 'student'
	ELSE '' END`

// relatedWhere keeps courses the account relates to; it takes the account
// ID three times.
const relatedWhere = `(c.teacher_id = ?
	OR EXISTS (SELECT 1 FROM course_assistants ca WHERE ca.course_id = c.id AND ca.account_id = ?)
	OR EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.id AND e.account_id = ?))`

// MyCourses implements classroom.Courses.
func (s *Store) MyCourses(ctx context.Context, accountID string) ([]classroom.MyCourse, error) {
	id := accountID
	var out []classroom.MyCourse
	rs, err := s.db.query(ctx, "SELECT "+courseCols+", "+relationCase+courseFrom+
		" WHERE "+relatedWhere+" ORDER BY c.title, c.id LIMIT 500", id, id, id, id, id, id)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			r   courseRow
			rel string
		)
		if err := rs.Scan(append(r.dest(), &rel)...); err != nil {
			return err
		}
		out = append(out, classroom.MyCourse{Course: r.course(), Relation: classroom.Relation(rel)})
		return nil
	})
	return out, s.mapErr(err, nil)
}

// Unenrol implements classroom.Courses.
func (s *Store) Unenrol(ctx context.Context, courseID, accountID string) error {
	n, err := s.db.exec(ctx, "DELETE FROM enrolments WHERE course_id = ? AND account_id = ?", courseID, accountID)
	if err != nil {
		return s.mapErr(err, nil)
	}
	if n == 0 {
		return classroom.ErrNotFound
	}
	return nil
}
