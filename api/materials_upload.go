package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"
	expslog "golang.org/x/exp/slog"
)

// Upload metadata keys (tus Upload-Metadata) a client sends, and the one
// the server adds.
const (
	metaCourse       = "course_id"
	metaLesson       = "lesson_id"
	metaName         = "filename"
	metaDownloadable = "downloadable"
	metaAccount      = "lectern_account" // set by the server: the uploader
)

// uploadStore is the part of tusd's file store the checks read.
type uploadStore interface {
	GetUpload(ctx context.Context, id string) (tusd.Upload, error)
}

type callerKey struct{}

// initTus sets up tusd on a file store in dir. Unfinished uploads live
// there between requests (a client resumes them with HEAD + PATCH); a
// finished one is moved into the content store by the pre-finish hook and
// deleted.
func (m *Materials) initTus(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("api: upload directory: %w", err)
	}
	fs := filestore.New(dir)
	composer := tusd.NewStoreComposer()
	fs.UseIn(composer)
	memorylocker.New().UseIn(composer)
	h, err := tusd.NewUnroutedHandler(tusd.Config{
		StoreComposer:             composer,
		BasePath:                  "/api/v1/uploads/",
		MaxSize:                   m.svc.MaxFileSize(),
		DisableDownload:           true,
		DisableConcatenation:      true,
		PreUploadCreateCallback:   m.preCreate,
		PreFinishResponseCallback: m.preFinish,
		// tusd logs through golang.org/x/exp/slog, not log/slog: its
		// per-request lines are dropped; ours are logged by the hooks.
		Logger: expslog.New(expslog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return fmt.Errorf("api: tus: %w", err)
	}
	m.tus, m.uploads, m.uploadDir = h, fs, dir
	return nil
}

// tusHandler authenticates every tus request (a session, and the CSRF
// token on state changes) and keeps each upload to the account that
// created it, then hands it to tusd.
func (m *Materials) tusHandler() http.Handler {
	// tusd reads an upload's id from the path stripped of its base.
	byID := func(h http.HandlerFunc) func(http.ResponseWriter, *http.Request) {
		return http.StripPrefix("/api/v1/uploads/", h).ServeHTTP
	}
	headFile, patchFile, delFile := byID(m.tus.HeadFile), byID(m.tus.PatchFile), byID(m.tus.DelFile)
	route := func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/api/v1/uploads/")
		switch {
		case id == "" && r.Method == http.MethodPost:
			m.tus.PostFile(w, r)
		case id != "" && !strings.Contains(id, "/") && r.Method == http.MethodHead:
			headFile(w, r)
		case id != "" && !strings.Contains(id, "/") && r.Method == http.MethodPatch:
			patchFile(w, r)
		case id != "" && !strings.Contains(id, "/") && r.Method == http.MethodDelete:
			delFile(w, r)
		case r.Method == http.MethodOptions:
			w.WriteHeader(http.StatusNoContent)
		default:
			writeError(w, &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
				Message: "tus uploads take POST, HEAD, PATCH and DELETE"})
		}
	}
	return m.tus.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			route(w, r)
			return
		}
		c, err := m.s.authenticate(w, r)
		if err == nil && c == nil {
			err = errUnauthenticated
		}
		if err == nil && !safeMethod(r.Method) &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(c.csrf())) != 1 {
			err = errCSRF
		}
		if id := strings.TrimPrefix(r.URL.Path, "/api/v1/uploads/"); err == nil && id != "" {
			err = m.ownUpload(r.Context(), id, c)
		}
		if err != nil {
			m.s.finish(w, r, err)
			return
		}
		route(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}))
}

// ownUpload answers 404 for an upload that is not c's.
func (m *Materials) ownUpload(ctx context.Context, id string, c *caller) error {
	up, err := m.uploads.GetUpload(ctx, id)
	if err != nil {
		return errNotFound
	}
	info, err := up.GetInfo(ctx)
	if err != nil || info.MetaData[metaAccount] != c.account.ID {
		return errNotFound
	}
	return nil
}

// tusError turns an error into one tusd sends, with the API's JSON
// error body.
func (m *Materials) tusError(err error) error {
	e, known := toError(contentError(err))
	if !known {
		m.log.Error("upload failed", "err", err)
	}
	body, _ := json.Marshal(e)
	return tusd.Error{ErrorCode: e.Code, Message: e.Message, HTTPResponse: tusd.HTTPResponse{
		StatusCode: e.Status, Body: string(body) + "\n",
		Header: tusd.HTTPHeader{"Content-Type": "application/json; charset=utf-8"}}}
}

// preCreate lets only the course's teacher (or an admin) start an upload,
// and refuses at once what the name, size or quota already rule out.
func (m *Materials) preCreate(ev tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	c, _ := ev.Context.Value(callerKey{}).(*caller)
	if c == nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, m.tusError(errUnauthenticated)
	}
	meta := ev.Upload.MetaData
	ctx := ev.Context
	course, err := m.s.loadCourse(ctx, meta[metaCourse])
	if errors.Is(err, classroom.ErrNotFound) {
		err = &Error{Status: http.StatusNotFound, Code: "not_found", Field: metaCourse,
			Message: "no such course: send its id as course_id in Upload-Metadata"}
	}
	if err == nil && !mayEdit(c.account, course) {
		err = errNotTeacher
	}
	if err == nil {
		err = m.checkLesson(ctx, course, meta[metaLesson])
	}
	if err == nil {
		size := ev.Upload.Size
		if ev.Upload.SizeIsDeferred {
			size = -1
		}
		err = m.svc.CheckUpload(ctx, course.ID, meta[metaName], size)
	}
	if err != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, m.tusError(err)
	}
	kept := tusd.MetaData{metaCourse: course.ID, metaLesson: meta[metaLesson], metaName: meta[metaName],
		metaDownloadable: meta[metaDownloadable], metaAccount: c.account.ID}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{MetaData: kept}, nil
}

// preFinish moves a finished upload into the content store and answers
// the last PATCH with the material as JSON (or the reason it was
// refused). Either way the upload's files are removed: nothing
// half-written remains.
func (m *Materials) preFinish(ev tusd.HookEvent) (tusd.HTTPResponse, error) {
	info := ev.Upload
	defer m.discardUpload(info)
	meta := info.MetaData
	pending, err := m.needsReview(ev.Context, meta[metaCourse], meta[metaAccount])
	if err != nil {
		return tusd.HTTPResponse{}, m.tusError(err)
	}
	mat, err := m.svc.AddFile(ev.Context, content.NewMaterial{CourseID: meta[metaCourse], LessonID: meta[metaLesson],
		Name: meta[metaName], Downloadable: meta[metaDownloadable] == "true", CreatedBy: meta[metaAccount],
		Pending: pending}, info.Storage[filestore.StorageKeyPath])
	var de *content.DuplicateError
	dup := errors.As(err, &de)
	if dup {
		mat, err = de.Existing, nil
	}
	if err != nil {
		return tusd.HTTPResponse{}, m.tusError(err)
	}
	if !dup && m.onAdded != nil {
		m.onAdded(mat)
	}
	m.log.Info("material uploaded", "material", mat.ID, "course", mat.CourseID, "size", mat.Size,
		"type", mat.MediaType, "duplicate", dup, "review", mat.Review)
	body, _ := json.Marshal(struct {
		Material  content.Material `json:"material"`
		Duplicate bool             `json:"duplicate"`
	}{mat, dup})
	return tusd.HTTPResponse{StatusCode: http.StatusOK, Body: string(body), Header: tusd.HTTPHeader{"Content-Type": "application/json"}}, nil
}

func (m *Materials) discardUpload(info tusd.FileInfo) {
	for _, k := range []string{filestore.StorageKeyPath, filestore.StorageKeyInfoPath} {
		if p := info.Storage[k]; p != "" {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				m.log.Warn("removing a finished upload", "path", p, "err", err)
			}
		}
	}
}

// SweepUploads removes unfinished uploads untouched for longer than age
// (a client that never came back), returning how many it removed.
func (m *Materials) SweepUploads(age time.Duration) (int, error) {
	entries, err := os.ReadDir(m.uploadDir)
	if err != nil {
		return 0, err
	}
	cutoff := m.s.now().Add(-age)
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".info") {
			continue
		}
		id := strings.TrimSuffix(name, ".info")
		newest := time.Time{}
		for _, p := range []string{name, id} {
			if fi, err := os.Stat(filepath.Join(m.uploadDir, p)); err == nil && fi.ModTime().After(newest) {
				newest = fi.ModTime()
			}
		}
		if newest.After(cutoff) {
			continue
		}
		for _, p := range []string{name, id} {
			_ = os.Remove(filepath.Join(m.uploadDir, p))
		}
		n++
	}
	return n, nil
}
