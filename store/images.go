package store

import (
	"context"

	"github.com/lectern/lectern/classroom"
)

// putImage replaces (or, for a zero img, deletes) the image in table keyed
// by keyCol. table and keyCol are constants from this package, never input.
func putImage(ctx context.Context, q querier, table, keyCol, key string, img classroom.Image) error {
	if _, err := q.exec(ctx, "DELETE FROM "+table+" WHERE "+keyCol+" = ?", key); err != nil {
		return err
	}
	if len(img.Data) == 0 {
		return nil
	}
	_, err := q.exec(ctx, "INSERT INTO "+table+" ("+keyCol+", content_type, data, updated_at) VALUES (?, ?, ?, ?)",
		key, img.ContentType, img.Data, ms(img.UpdatedAt))
	return err
}

func getImage(ctx context.Context, q querier, table, keyCol, key string) (classroom.Image, error) {
	var (
		img     classroom.Image
		updated int64
	)
	err := q.queryRow(ctx, "SELECT content_type, data, updated_at FROM "+table+" WHERE "+keyCol+" = ?",
		[]any{&img.ContentType, &img.Data, &updated}, key)
	img.UpdatedAt = fromMS(updated)
	return img, err
}
