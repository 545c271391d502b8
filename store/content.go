package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// Store implements content.Store.
var _ content.Store = (*Store)(nil)

const materialCols = `id, course_id, lesson_id, name, media_type, kind, size, sha256, downloadable,
	pages, status, detail, progress, created_by, created_at, review, review_note, reviewed_by, reviewed_at`

func scanMaterial(sc interface{ Scan(...any) error }) (content.Material, error) {
	var (
		m               content.Material
		kind, status    string
		dl, pages, prog int64
		created         int64
		review          string
		reviewed        int64
	)
	err := sc.Scan(&m.ID, &m.CourseID, &m.LessonID, &m.Name, &m.MediaType, &kind, &m.Size, &m.SHA256,
		&dl, &pages, &status, &m.Detail, &prog, &m.CreatedBy, &created, &review, &m.ReviewNote, &m.ReviewedBy, &reviewed)
	m.Kind, m.Status, m.Downloadable = content.Kind(kind), content.Status(status), dl != 0
	m.Pages, m.Progress, m.CreatedAt = int(pages), int(prog), fromMS(created)
	m.Review, m.ReviewedAt = content.Review(review), fromMS(reviewed)
	return m, err
}

// rowScanner adapts queryRow to scanMaterial.
type rowScanner struct {
	ctx  context.Context
	q    querier
	sql  string
	args []any
}

func (r rowScanner) Scan(dest ...any) error { return r.q.queryRow(r.ctx, r.sql, dest, r.args...) }

func (s *Store) contentErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNoRows):
		return content.ErrNotFound
	}
	if s.db.classify(err) == errForeignKey {
		return fmt.Errorf("%w: no such course", content.ErrNotFound)
	}
	return s.mapErr(err, nil)
}

// InsertMaterial implements content.Store.
func (s *Store) InsertMaterial(ctx context.Context, m content.Material, quota int64) error {
	err := s.db.tx(ctx, func(q querier) error {
		dup, err := scanMaterial(rowScanner{ctx, q, `SELECT ` + materialCols +
			` FROM materials WHERE course_id = ? AND sha256 = ?`, []any{m.CourseID, m.SHA256}})
		if err == nil {
			return &content.DuplicateError{Existing: dup}
		}
		if !errors.Is(err, errNoRows) {
			return err
		}
		if quota > 0 {
			// The sum and the insert are one step for every process.
			if err := s.db.lockCourse(ctx, q, m.CourseID); err != nil {
				return err
			}
			var used int64
			if err := q.queryRow(ctx, `SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM materials WHERE course_id = ?`,
				[]any{&used}, m.CourseID); err != nil {
				return err
			}
			if used+m.Size > quota {
				return fmt.Errorf("%w: %d bytes used of %d, this file has %d", content.ErrQuota, used, quota, m.Size)
			}
		}
		_, err = q.exec(ctx, `INSERT INTO materials (`+materialCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.CourseID, m.LessonID, m.Name, m.MediaType, string(m.Kind), m.Size, m.SHA256,
			b2i(m.Downloadable), m.Pages, string(m.Status), m.Detail, m.Progress, m.CreatedBy, ms(m.CreatedAt),
			string(cmp.Or(m.Review, content.ReviewApproved)), m.ReviewNote, m.ReviewedBy, ms(m.ReviewedAt))
		return err
	})
	var de *content.DuplicateError
	if errors.As(err, &de) || errors.Is(err, content.ErrQuota) {
		return err
	}
	if err != nil && s.db.classify(err) == errUnique {
		// A concurrent insert of the same bytes won.
		dup, derr := scanMaterial(rowScanner{ctx, s.db, `SELECT ` + materialCols +
			` FROM materials WHERE course_id = ? AND sha256 = ?`, []any{m.CourseID, m.SHA256}})
		if derr == nil {
			return &content.DuplicateError{Existing: dup}
		}
	}
	return s.contentErr(err)
}

// Material implements content.Store.
func (s *Store) Material(ctx context.Context, id string) (content.Material, error) {
	m, err := scanMaterial(rowScanner{ctx, s.db, `SELECT ` + materialCols + ` FROM materials WHERE id = ?`, []any{id}})
	return m, s.contentErr(err)
}

// Materials implements content.Store.
func (s *Store) Materials(ctx context.Context, courseID string) ([]content.Material, error) {
	return s.materials(ctx, `SELECT `+materialCols+` FROM materials WHERE course_id = ? ORDER BY created_at, id`, courseID)
}

func (s *Store) materials(ctx context.Context, q string, args ...any) ([]content.Material, error) {
	var out []content.Material
	rs, err := s.db.query(ctx, q, args...)
	err = scanAll(rs, err, func(r rows) error {
		m, err := scanMaterial(r)
		out = append(out, m)
		return err
	})
	return out, s.contentErr(err)
}

// ProcessingMaterials implements content.Store.
func (s *Store) ProcessingMaterials(ctx context.Context) ([]content.Material, error) {
	return s.materials(ctx, `SELECT `+materialCols+` FROM materials WHERE status = 'processing' ORDER BY created_at, id`)
}

// UpdateMaterial implements content.Store.
func (s *Store) UpdateMaterial(ctx context.Context, m content.Material) error {
	n, err := s.db.exec(ctx, `UPDATE materials SET name = ?, lesson_id = ?, downloadable = ?, pages = ?,
		status = ?, detail = ?, progress = ? WHERE id = ?`,
		m.Name, m.LessonID, b2i(m.Downloadable), m.Pages, string(m.Status), m.Detail, m.Progress, m.ID)
	if err == nil && n == 0 {
		return content.ErrNotFound
	}
	return s.contentErr(err)
}

// SetMaterialStatus implements content.Store.
func (s *Store) SetMaterialStatus(ctx context.Context, id string, st content.Status, detail string, progress int) error {
	n, err := s.db.exec(ctx, `UPDATE materials SET status = ?, detail = ?, progress = ? WHERE id = ?`,
		string(st), detail, progress, id)
	if err == nil && n == 0 {
		return content.ErrNotFound
	}
	return s.contentErr(err)
}

// DeleteMaterial implements content.Store.
func (s *Store) DeleteMaterial(ctx context.Context, id string) error {
	n, err := s.db.exec(ctx, `DELETE FROM materials WHERE id = ?`, id)
	if err == nil && n == 0 {
		return content.ErrNotFound
	}
	return s.contentErr(err)
}

// BlobInUse implements content.Store.
func (s *Store) BlobInUse(ctx context.Context, sha string) (bool, error) {
	var n int64
	err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM materials WHERE sha256 = ?`, []any{&n}, sha)
	return n > 0, s.contentErr(err)
}

// CourseUsage implements content.Store.
func (s *Store) CourseUsage(ctx context.Context, courseID string) (int64, error) {
	var n int64
	err := s.db.queryRow(ctx, `SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM materials WHERE course_id = ?`, []any{&n}, courseID)
	return n, s.contentErr(err)
}

// SetMaterialThumbnail replaces a material's thumbnail (a zero img
// deletes it); ErrNotFound for an unknown material.
func (s *Store) SetMaterialThumbnail(ctx context.Context, id string, img classroom.Image) error {
	return s.contentErr(s.db.tx(ctx, func(q querier) error {
		return putImage(ctx, q, "material_thumbnails", "material_id", id, img)
	}))
}

// MaterialThumbnail returns a material's thumbnail; ErrNotFound if none.
func (s *Store) MaterialThumbnail(ctx context.Context, id string) (classroom.Image, error) {
	img, err := getImage(ctx, s.db, "material_thumbnails", "material_id", id)
	return img, s.contentErr(err)
}
