package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// ThumbnailStore keeps materials' thumbnails (a PDF's first page, which
// the uploading teacher's browser renders with pdf.js: the server has no
// PDF renderer).
type ThumbnailStore interface {
	SetMaterialThumbnail(ctx context.Context, id string, img classroom.Image) error
	MaterialThumbnail(ctx context.Context, id string) (classroom.Image, error)
}

// maxThumbnailBytes bounds a thumbnail upload.
const maxThumbnailBytes = 512 << 10

// putThumbnail stores a PDF's first-page image (PNG, JPEG or WebP; the
// same checks as avatars) from the course's teacher.
func (m *Materials) putThumbnail(w http.ResponseWriter, r *http.Request, c *caller) error {
	mat, course, err := m.material(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !mayEdit(c.account, course) {
		return errNotTeacher
	}
	if m.thumbs == nil {
		return errNotFound
	}
	img, err := m.s.readImage(w, r, maxThumbnailBytes)
	if err != nil {
		return err
	}
	if err := m.thumbs.SetMaterialThumbnail(r.Context(), mat.ID, img); err != nil {
		return contentError(err)
	}
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}

// getThumbnail serves the thumbnail to members of the course the access
// policy lets use the material.
func (m *Materials) getThumbnail(w http.ResponseWriter, r *http.Request, c *caller) error {
	mat, course, err := m.material(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := m.mayUse(r.Context(), c.account, course, mat, ""); err != nil {
		return err
	}
	if m.thumbs == nil {
		return errNotFound
	}
	img, err := m.thumbs.MaterialThumbnail(r.Context(), mat.ID)
	if errors.Is(err, content.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=300") // paid content: no shared cache
	_, err = w.Write(img.Data)
	return err
}
