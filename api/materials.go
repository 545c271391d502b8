package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// MaterialsConfig configures Materials. Service, Signer and UploadDir are
// required.
type MaterialsConfig struct {
	Service *content.Service
	Signer  *content.URLSigner
	// Doors is the access policy, asked before a link is signed and
	// again whenever it is used (materials_doors.go). nil: the Server's.
	Doors Doors
	// Slides is the slide log, so that a course-wide deck presented in a
	// lesson opens to that lesson's participants (nil: none).
	Slides SlideTimeline
	// UploadDir holds unfinished tus uploads (<data-dir>/uploads).
	UploadDir string
	// LinkTTL is a signed link's lifetime (default 10 minutes).
	LinkTTL time.Duration
	// OnAdded is told of every new material (video processing).
	OnAdded func(content.Material)
	// Thumbnails keeps PDFs' first-page images (nil: none).
	Thumbnails ThumbnailStore
	// HLSDir holds videos' HLS renditions, <HLSDir>/<material id>/
	// master.m3u8 ("": none).
	HLSDir string
}

// Materials serves a course's materials:
//
//	GET    /api/v1/courses/{id}/materials   list (what the access policy opens to the caller)
//	PATCH  /api/v1/materials/{id}           rename, move, allow downloads (teacher)
//	DELETE /api/v1/materials/{id}           (teacher)
//	GET    /api/v1/materials/{id}/link      a short-lived signed URL (after the access check)
//	GET    /api/v1/materials/{id}/file      the bytes, for a signed URL only
//	GET    /api/v1/materials/{id}/hls/…     a video's HLS renditions, same signature
//	/api/v1/uploads/                        tus 1.0 resumable uploads (teacher)
//
// It shares the Server's sessions, CSRF checks and error format.
type Materials struct {
	s         *Server
	svc       *content.Service
	signer    *content.URLSigner
	doors     Doors
	slides    SlideTimeline
	ttl       time.Duration
	onAdded   func(content.Material)
	log       *slog.Logger
	tus       *tusd.UnroutedHandler
	uploads   uploadStore
	uploadDir string
	hlsDir    string
	thumbs    ThumbnailStore
}

// NewMaterials returns the materials endpoints of s.
func NewMaterials(s *Server, cfg MaterialsConfig) (*Materials, error) {
	if s == nil || cfg.Service == nil || cfg.Signer == nil || cfg.UploadDir == "" {
		return nil, errors.New("api: NewMaterials needs a Server, a Service, a Signer and an UploadDir")
	}
	if cfg.Doors == nil {
		cfg.Doors = s.doors
	}
	m := &Materials{s: s, svc: cfg.Service, signer: cfg.Signer, doors: cfg.Doors, slides: cfg.Slides,
		ttl: cmp.Or(cfg.LinkTTL, 10*time.Minute), onAdded: cfg.OnAdded, hlsDir: cfg.HLSDir, thumbs: cfg.Thumbnails, log: s.log.With("part", "materials")}
	if err := m.initTus(filepath.Clean(cfg.UploadDir)); err != nil {
		return nil, err
	}
	return m, nil
}

// Register adds the routes to mux.
func (m *Materials) Register(mux *http.ServeMux) {
	for pattern, h := range map[string]http.Handler{
		"GET /api/v1/courses/{id}/materials":       m.s.authed(m.list),
		"PATCH /api/v1/materials/{id}":             m.s.authed(m.update),
		"DELETE /api/v1/materials/{id}":            m.s.authed(m.remove),
		"GET /api/v1/materials/{id}/link":          m.s.authed(m.link),
		"GET /api/v1/lessons/{id}/slides":          m.s.authed(m.slideTimeline),
		"GET /api/v1/materials/{id}/file":          http.HandlerFunc(m.file),
		"HEAD /api/v1/materials/{id}/file":         http.HandlerFunc(m.file),
		"GET /api/v1/materials/{id}/hls/{file...}": http.HandlerFunc(m.hls),
		"PUT /api/v1/materials/{id}/thumbnail":     m.s.authed(m.putThumbnail),
		"POST /api/v1/materials/{id}/review":       m.s.authed(m.reviewMaterial),
		"GET /api/v1/review/materials":             m.s.authed(m.reviewQueue),
		"GET /api/v1/materials/{id}/thumbnail":     m.s.authed(m.getThumbnail),
		"/api/v1/uploads/":                         m.tusHandler(),
	} {
		mux.Handle(pattern, m.s.cop.Handler(h))
	}
}

// contentError turns content's errors into API errors.
func contentError(err error) error {
	var de *content.DuplicateError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &de):
		return &Error{Status: http.StatusConflict, Code: "duplicate", Message: err.Error(), Field: de.Existing.ID}
	case errors.Is(err, content.ErrEmpty):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "empty_file", Message: err.Error()}
	case errors.Is(err, content.ErrTooLarge):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large", Message: err.Error()}
	case errors.Is(err, content.ErrQuota):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "quota_exceeded", Message: err.Error()}
	case errors.Is(err, content.ErrBadName):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "bad_name", Message: err.Error(), Field: "name"}
	case errors.Is(err, content.ErrTypeMismatch):
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "type_mismatch", Message: err.Error()}
	case errors.Is(err, content.ErrUnsupportedType):
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_type", Message: err.Error()}
	case errors.Is(err, content.ErrNotFound):
		return errNotFound
	case errors.Is(err, content.ErrBadSignature):
		return &Error{Status: http.StatusForbidden, Code: "bad_link", Message: err.Error()}
	}
	return err
}

var errNotTeacher = &Error{Status: http.StatusForbidden, Code: "forbidden",
	Message: "only the course's teacher may manage its materials"}

// material loads the material in the path and its course.
func (m *Materials) material(ctx context.Context, id string) (content.Material, classroom.Course, error) {
	if uuid.Validate(id) != nil {
		return content.Material{}, classroom.Course{}, errNotFound
	}
	mat, err := m.svc.Store().Material(ctx, id)
	if err != nil {
		return mat, classroom.Course{}, contentError(err)
	}
	course, err := m.s.store.Course(ctx, mat.CourseID)
	return mat, course, err
}

// mayEdit reports whether acc manages course's materials.
func mayEdit(acc classroom.Account, course classroom.Course) bool {
	return acc.Roles.Has(classroom.RoleAdmin) || classroom.RelationOf(course, acc.ID, false).CanEdit()
}

// list answers the course's materials the caller may open (the access
// policy, as for each material's link): all of them for the course's
// teacher, assistants, entitled students, admins and reviewers; a free
// preview lesson's for a student not entitled to the course; the
// policy's refusal for anyone else. Students never see a material that is
// not approved (materials_review.go).
func (m *Materials) list(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := m.s.loadCourse(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	all, err := m.svc.Store().Materials(r.Context(), course.ID)
	if err != nil {
		return err
	}
	list, _, err := reachable(r.Context(), m.doors, c.account.ID, course.ID, access.DoorMaterial, all,
		func(mat content.Material) string { return mat.LessonID })
	if err != nil {
		return err
	}
	if !seesUnreviewed(c.account, course) {
		list = slices.DeleteFunc(list, func(mat content.Material) bool { return !mat.Approved() })
	}
	if list == nil {
		list = []content.Material{}
	}
	used, err := m.svc.Store().CourseUsage(r.Context(), course.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"materials": list, "used": used,
		"quota": m.svc.Quota(), "max_file_size": m.svc.MaxFileSize(), "can_edit": mayEdit(c.account, course)})
	return nil
}

type materialChange struct {
	Name         *string `json:"name"`
	LessonID     *string `json:"lesson_id"`
	Downloadable *bool   `json:"downloadable"`
}

func (m *Materials) update(w http.ResponseWriter, r *http.Request, c *caller) error {
	mat, course, err := m.material(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !mayEdit(c.account, course) {
		return errNotTeacher
	}
	var ch materialChange
	if err := decodeJSON(w, r, m.s.maxBody, &ch); err != nil {
		return err
	}
	if ch.Name != nil {
		if err := content.CheckName(*ch.Name); err != nil {
			return contentError(err)
		}
		mat.Name = *ch.Name
	}
	if ch.LessonID != nil {
		if err := m.checkLesson(r.Context(), course, *ch.LessonID); err != nil {
			return err
		}
		mat.LessonID = *ch.LessonID
	}
	if ch.Downloadable != nil {
		mat.Downloadable = *ch.Downloadable
	}
	if err := m.svc.Store().UpdateMaterial(r.Context(), mat); err != nil {
		return contentError(err)
	}
	writeJSON(w, http.StatusOK, mat)
	return nil
}

// checkLesson refuses a lesson id ("" is course-wide) not of course.
func (m *Materials) checkLesson(ctx context.Context, course classroom.Course, lessonID string) error {
	if lessonID == "" {
		return nil
	}
	l, err := m.s.loadLesson(ctx, lessonID)
	if errors.Is(err, classroom.ErrNotFound) || (err == nil && l.CourseID != course.ID) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_input", Field: "lesson_id",
			Message: fmt.Sprintf("lesson %q is not a lesson of this course", lessonID)}
	}
	return err
}

func (m *Materials) remove(w http.ResponseWriter, r *http.Request, c *caller) error {
	_, course, err := m.material(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !mayEdit(c.account, course) {
		return errNotTeacher
	}
	if err := m.svc.Delete(r.Context(), r.PathValue("id")); err != nil {
		return contentError(err)
	}
	if m.hlsDir != "" {
		if err := os.RemoveAll(filepath.Join(m.hlsDir, r.PathValue("id"))); err != nil {
			m.log.Warn("removing a deleted video's HLS output", "err", err)
		}
	}
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}
