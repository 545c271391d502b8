package api

import (
	"bytes"
	"errors"
	"image"
	_ "image/gif" // DecodeConfig for uploads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"strconv"

	"github.com/lectern/lectern/classroom"
)

// readImage reads an image upload (the raw bytes as the body), sniffs its
// real type and checks size, type and, where the standard library can
// read them, dimensions.
func (s *Server) readImage(w http.ResponseWriter, r *http.Request, maxBytes int) (classroom.Image, error) {
	if r.ContentLength > int64(maxBytes) {
		return classroom.Image{}, &classroom.FieldError{Field: "image",
			Reason: "must be at most " + strconv.Itoa(maxBytes) + " bytes", Err: classroom.ErrImageTooLarge}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(maxBytes)))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return classroom.Image{}, &classroom.FieldError{Field: "image",
			Reason: "must be at most " + strconv.Itoa(maxBytes) + " bytes", Err: classroom.ErrImageTooLarge}
	}
	if err != nil {
		return classroom.Image{}, err
	}
	sniffed := http.DetectContentType(data)
	img, err := classroom.NewImage(sniffed, data, maxBytes, s.now())
	if err != nil {
		return img, err
	}
	if sniffed != "image/webp" {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return classroom.Image{}, &classroom.FieldError{Field: "image", Reason: "cannot be decoded", Err: classroom.ErrImageType}
		}
		if cfg.Width > classroom.MaxImageSide || cfg.Height > classroom.MaxImageSide || cfg.Width < 1 || cfg.Height < 1 {
			return classroom.Image{}, &classroom.FieldError{Field: "image",
				Reason: "must be at most " + strconv.Itoa(classroom.MaxImageSide) + " pixels a side", Err: classroom.ErrInvalid}
		}
	}
	return img, nil
}

// writeImage serves a stored image so that a browser can never treat it
// as anything but an image.
func writeImage(w http.ResponseWriter, img classroom.Image) {
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Content-Length", strconv.Itoa(len(img.Data)))
	w.Write(img.Data)
}

func (s *Server) putAvatar(w http.ResponseWriter, r *http.Request, c *caller) error {
	img, err := s.readImage(w, r, classroom.MaxAvatarBytes)
	if err != nil {
		return err
	}
	if err := s.store.SetAvatar(r.Context(), c.account.ID, img); err != nil {
		return err
	}
	acc := c.account
	acc.AvatarType, acc.UpdatedAt = img.ContentType, img.UpdatedAt
	writeJSON(w, http.StatusOK, viewAccount(acc))
	return nil
}

func (s *Server) deleteAvatar(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := s.store.SetAvatar(r.Context(), c.account.ID, classroom.Image{UpdatedAt: s.now()}); err != nil {
		return err
	}
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}

func (s *Server) getAvatar(w http.ResponseWriter, r *http.Request) error {
	img, err := s.store.Avatar(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeImage(w, img)
	return nil
}

func (s *Server) putCover(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := s.courseFor(r, c, classroom.Relation.CanEdit)
	if err != nil {
		return err
	}
	img, err := s.readImage(w, r, classroom.MaxCoverBytes)
	if err != nil {
		return err
	}
	if err := s.store.SetCourseCover(r.Context(), course.ID, img); err != nil {
		return err
	}
	course.CoverType, course.UpdatedAt = img.ContentType, img.UpdatedAt
	rel := classroom.RelationTeacher
	writeJSON(w, http.StatusOK, viewCourse(course, &rel))
	return nil
}

func (s *Server) getCover(w http.ResponseWriter, r *http.Request) error {
	img, err := s.store.CourseCover(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeImage(w, img)
	return nil
}
