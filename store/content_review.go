package store

import (
	"context"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// SetMaterialReview implements content.Store.
func (s *Store) SetMaterialReview(ctx context.Context, m content.Material, prev content.Review, e classroom.AuditEntry,
	notices ...classroom.Notice) error {
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE materials SET review = ?, review_note = ?, reviewed_by = ?, reviewed_at = ?
			WHERE id = ? AND review = ?`,
			string(m.Review), m.ReviewNote, m.ReviewedBy, ms(m.ReviewedAt), m.ID, string(prev))
		if err != nil {
			return err
		}
		if n == 0 {
			return missingOrConflict(ctx, q, "materials", m.ID)
		}
		if err := insertNotices(ctx, q, notices); err != nil {
			return err
		}
		return appendAudit(ctx, q, e)
	}), nil)
}

// PendingMaterials implements content.Store.
func (s *Store) PendingMaterials(ctx context.Context, p classroom.Page) ([]content.Material, error) {
	limit, offset := pageArgs(p)
	return s.materials(ctx, `SELECT `+materialCols+` FROM materials WHERE review = 'pending'
		ORDER BY created_at, id LIMIT ? OFFSET ?`, limit, offset)
}
