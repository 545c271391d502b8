package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/recorder"
)

// HLSAccess hands out the signed parameter of HLS URLs; scope is a lesson
// id (its live stream) or recorder.RecordingScope (one recording).
type HLSAccess interface {
	IssueFor(scope, accountID string, ttl time.Duration) string
}

// Recordings is what the recordings API needs of the recorder.
type Recordings interface {
	Recordings(lessonID string) ([]recorder.Info, error)
	Recording(lessonID, id string) (recorder.Info, error)
	SetHidden(lessonID, id string, hidden bool) (recorder.Info, error)
	Delete(lessonID, id string) error
	MP4(ctx context.Context, lessonID, id string) (string, error)
}

// hlsURL is the live playlist of a lesson with a fresh grant.
func (s *Server) hlsURL(lessonID, accountID string) string {
	if s.hls == nil {
		return ""
	}
	return "/hls/" + url.PathEscape(lessonID) + "/index.m3u8?access=" + url.QueryEscape(s.hls.IssueFor(lessonID, accountID, s.tokenTTL))
}

type recordingView struct {
	ID          string    `json:"id"`
	State       string    `json:"state"`
	StartedAt   time.Time `json:"started_at"`
	EndedAt     time.Time `json:"ended_at,omitzero"`
	DurationMS  int64     `json:"duration_ms"`
	Size        int64     `json:"size"`
	Published   bool      `json:"published"`
	Truncated   bool      `json:"truncated,omitempty"`
	PlaylistURL string    `json:"playlist_url"`
	DownloadURL string    `json:"download_url,omitempty"`
}

// StreamKeys gives a lesson's RTMP stream key.
type StreamKeys interface {
	Key(lessonID string) string
}

// RecordingSettingsStore keeps each course's recording settings.
type RecordingSettingsStore interface {
	RecordingSettings(ctx context.Context, courseID string) (classroom.RecordingSettings, error)
	SetRecordingSettings(ctx context.Context, rs classroom.RecordingSettings) error
}

// RecordingsHTTP serves a lesson's recordings under /api/v1, its RTMP
// stream key to the people who run it, and a course's recording settings.
type RecordingsHTTP struct {
	s        *Server
	rec      Recordings
	keys     StreamKeys
	rtmpURL  string
	settings RecordingSettingsStore
}

// WithSettings serves GET and PUT /api/v1/courses/{id}/recording-settings
// and lets students download where their course allows it.
func (h *RecordingsHTTP) WithSettings(st RecordingSettingsStore) *RecordingsHTTP {
	h.settings = st
	return h
}

// WithStreamKeys serves GET /api/v1/lessons/{id}/stream-key with the RTMP
// server URL given to encoders.
func (h *RecordingsHTTP) WithStreamKeys(k StreamKeys, rtmpURL string) *RecordingsHTTP {
	h.keys, h.rtmpURL = k, rtmpURL
	return h
}

// NewRecordings returns the recordings API of s.
func NewRecordings(s *Server, rec Recordings) *RecordingsHTTP {
	return &RecordingsHTTP{s: s, rec: rec}
}

// Register mounts the routes.
func (h *RecordingsHTTP) Register(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/lessons/{id}/recordings", h.s.authed(h.list))
	mux.Handle("GET /api/v1/lessons/{id}/recordings/{rid}/mp4", h.s.authed(h.download))
	mux.Handle("PATCH /api/v1/lessons/{id}/recordings/{rid}", h.s.authed(h.update))
	mux.Handle("DELETE /api/v1/lessons/{id}/recordings/{rid}", h.s.authed(h.remove))
	if h.keys != nil {
		mux.Handle("GET /api/v1/lessons/{id}/stream-key", h.s.authed(h.streamKey))
	}
	if h.settings != nil {
		mux.Handle("GET /api/v1/courses/{id}/recording-settings", h.s.authed(h.getSettings))
		mux.Handle("PUT /api/v1/courses/{id}/recording-settings", h.s.authed(h.putSettings))
	}
}

// access is what the caller may do with a lesson's recordings.
type recordingAccess struct {
	manage   bool // teacher, assistant or admin: every recording, unpublish, delete
	download bool
}

// accessFor checks that the caller may watch the lesson's replays: the
// access policy's replay door (relation, entitlement, ban, account;
// admins pass as observers). The course's teacher, its assistants and
// admins manage the recordings and download them.
func (h *RecordingsHTTP) accessFor(r *http.Request, c *caller) (classroom.Lesson, recordingAccess, error) {
	l, err := h.s.loadLesson(r.Context(), r.PathValue("id"))
	if err != nil {
		return l, recordingAccess{}, err
	}
	d, err := h.s.doors.Decide(r.Context(), c.account.ID, l.ID, access.DoorReplay)
	if err != nil {
		return l, recordingAccess{}, err
	}
	if d.Role.Moderator() || c.account.Roles.Has(classroom.RoleAdmin) {
		return l, recordingAccess{manage: true, download: true}, nil
	}
	if d.Reason == access.ReasonPaymentRequired {
		return l, recordingAccess{}, errNoEntitlement
	}
	if err := d.Err(); err != nil {
		return l, recordingAccess{}, err
	}
	// Students download only where the course allows it.
	acc := recordingAccess{}
	if h.settings != nil {
		rs, err := h.settings.RecordingSettings(r.Context(), d.Course.ID)
		if err != nil {
			return l, acc, err
		}
		acc.download = rs.StudentDownload
	}
	return l, acc, nil
}

type settingsView struct {
	Record          bool `json:"record"`
	StudentDownload bool `json:"student_download"`
}

func (h *RecordingsHTTP) getSettings(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := h.s.courseFor(r, c, classroom.Relation.CanRun)
	if err != nil {
		return err
	}
	rs, err := h.settings.RecordingSettings(r.Context(), course.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsView{Record: rs.Record, StudentDownload: rs.StudentDownload})
	return nil
}

type settingsPatch struct {
	Record          *bool `json:"record"`
	StudentDownload *bool `json:"student_download"`
}

// putSettings lets the course's teacher turn recording off or on and
// allow students to download.
func (h *RecordingsHTTP) putSettings(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := h.s.courseFor(r, c, classroom.Relation.CanEdit)
	if err != nil {
		return err
	}
	var p settingsPatch
	if err := decodeJSON(w, r, h.s.maxBody, &p); err != nil {
		return err
	}
	rs, err := h.settings.RecordingSettings(r.Context(), course.ID)
	if err != nil {
		return err
	}
	if p.Record != nil {
		rs.Record = *p.Record
	}
	if p.StudentDownload != nil {
		rs.StudentDownload = *p.StudentDownload
	}
	rs.UpdatedAt = h.s.now()
	if err := h.settings.SetRecordingSettings(r.Context(), rs); err != nil {
		return err
	}
	h.s.log.Info("recording settings changed", "course", course.ID, "record", rs.Record, "student_download", rs.StudentDownload, "by", c.account.ID)
	writeJSON(w, http.StatusOK, settingsView{Record: rs.Record, StudentDownload: rs.StudentDownload})
	return nil
}

func (h *RecordingsHTTP) list(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, acc, err := h.accessFor(r, c)
	if err != nil {
		return err
	}
	infos, err := h.rec.Recordings(l.ID)
	if err != nil {
		return err
	}
	out := []recordingView{}
	for _, in := range infos {
		if in.Hidden && !acc.manage {
			continue
		}
		v := recordingView{ID: in.ID, State: in.State, StartedAt: in.StartedAt, EndedAt: in.EndedAt,
			DurationMS: in.DurationMS, Size: in.Size, Published: !in.Hidden, Truncated: in.Truncated}
		if h.s.hls != nil {
			v.PlaylistURL = "/hls/" + url.PathEscape(l.ID) + "/rec/" + url.PathEscape(in.ID) + "/index.m3u8?access=" +
				url.QueryEscape(h.s.hls.IssueFor(recorder.RecordingScope(l.ID, in.ID), c.account.ID, h.s.tokenTTL))
		}
		if acc.download && in.State != recorder.StateRecording {
			v.DownloadURL = "/api/v1/lessons/" + url.PathEscape(l.ID) + "/recordings/" + url.PathEscape(in.ID) + "/mp4"
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"recordings": out})
	return nil
}

var errNoEntitlement = &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "the recordings of this lesson are for students who have paid for the course"}

var errNoRecordingDownload = &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "this course does not allow downloading its recordings"}

func (h *RecordingsHTTP) download(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, acc, err := h.accessFor(r, c)
	if err != nil {
		return err
	}
	if !acc.download {
		return errNoRecordingDownload
	}
	path, err := h.rec.MP4(r.Context(), l.ID, r.PathValue("rid"))
	if err != nil {
		return recordingError(err)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "video/mp4")
	w.Header().Set("Content-Disposition", `attachment; filename="lesson-`+r.PathValue("rid")+`.mp4"`)
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}

type recordingPatch struct {
	Published *bool `json:"published"`
}

func (h *RecordingsHTTP) update(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, acc, err := h.accessFor(r, c)
	if err != nil {
		return err
	}
	if !acc.manage {
		return errNotModerator
	}
	var p recordingPatch
	if err := decodeJSON(w, r, h.s.maxBody, &p); err != nil {
		return err
	}
	if p.Published == nil {
		return &classroom.FieldError{Field: "published", Reason: "required", Err: classroom.ErrInvalid}
	}
	in, err := h.rec.SetHidden(l.ID, r.PathValue("rid"), !*p.Published)
	if err != nil {
		return recordingError(err)
	}
	h.s.log.Info("recording visibility changed", "lesson", l.ID, "recording", in.ID, "published", !in.Hidden, "by", c.account.ID)
	writeJSON(w, http.StatusOK, map[string]any{"id": in.ID, "published": !in.Hidden})
	return nil
}

func (h *RecordingsHTTP) remove(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, acc, err := h.accessFor(r, c)
	if err != nil {
		return err
	}
	if !acc.manage {
		return errNotModerator
	}
	if err := h.rec.Delete(l.ID, r.PathValue("rid")); err != nil {
		return recordingError(err)
	}
	h.s.log.Info("recording deleted", "lesson", l.ID, "recording", r.PathValue("rid"), "by", c.account.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

var errNotModerator = &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only the teacher, an assistant or an administrator may do this"}

func recordingError(err error) error {
	switch {
	case errors.Is(err, recorder.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such recording"}
	case errors.Is(err, recorder.ErrBusy):
		return &Error{Status: http.StatusConflict, Code: "recording", Message: "the recording is still being written"}
	case errors.Is(err, recorder.ErrDiskFull):
		return &Error{Status: http.StatusInsufficientStorage, Code: "disk_full", Message: "not enough disk space"}
	}
	return err
}

// streamKey shows the teacher (or an assistant) where OBS should send the
// lesson: the server URL and the stream key.
func (h *RecordingsHTTP) streamKey(w http.ResponseWriter, r *http.Request, c *caller) error {
	l, _, _, err := h.s.lessonFor(r, c, classroom.Relation.CanRun)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"server": h.rtmpURL, "key": h.keys.Key(l.ID)})
	return nil
}
