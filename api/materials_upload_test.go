package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/store/storetest"
)

// files lists the regular files under dir.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestTusUploadRefusals: every refused upload gets a precise error and
// leaves nothing behind, neither in the tus store nor in the blob store
// nor in the database.
func TestTusUploadRefusals(t *testing.T) {
	h := newMatHarness(t, storetest.SQLite(t), content.WithCourseQuota(100_000), content.WithMaxFileSize(60_000))
	teacher := h.teacher("teacher@example.org")
	courseID := teacher.createCourse(t, "Course")
	otherCourse := h.teacher("other@example.org").createCourse(t, "Not yours")
	student := h.register("student@example.org", "Student")
	want(t, student.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
	first := teacher.mustUpload(t, courseID, "", "notes.txt", []byte(strings.Repeat("a", 50_000)))

	meta := func(name string) map[string]string { return map[string]string{"course_id": courseID, "filename": name} }
	for _, c := range []struct {
		name   string
		c      *client
		size   int64
		meta   map[string]string
		status int
		code   string
	}{
		{"empty file", teacher, 0, meta("empty.txt"), http.StatusUnprocessableEntity, "empty_file"},
		{"over the file limit", teacher, 60_001, meta("big.txt"), http.StatusRequestEntityTooLarge, ""},
		{"over the quota", teacher, 50_001, meta("more.txt"), http.StatusRequestEntityTooLarge, "quota_exceeded"},
		{"dot-dot in the name", teacher, 10, meta("../../etc/passwd"), http.StatusUnprocessableEntity, "bad_name"},
		{"no name", teacher, 10, map[string]string{"course_id": courseID}, http.StatusUnprocessableEntity, "bad_name"},
		{"no course", teacher, 10, map[string]string{"filename": "a.txt"}, http.StatusNotFound, "not_found"},
		{"someone else's course", teacher, 10, map[string]string{"course_id": otherCourse, "filename": "a.txt"}, http.StatusForbidden, "forbidden"},
		{"a lesson of another course", teacher, 10, map[string]string{"course_id": courseID, "lesson_id": h.lessonOf(t, otherCourse), "filename": "a.txt"}, http.StatusUnprocessableEntity, "invalid_input"},
		{"a student", student, 10, meta("a.txt"), http.StatusForbidden, "forbidden"},
		{"anonymous", h.client(), 10, meta("a.txt"), http.StatusUnauthorized, "unauthenticated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, r := c.c.tusCreate(t, c.size, c.meta)
			if r.status != c.status || r.code() != c.code && c.code != "" {
				t.Fatalf("POST: %d %q; want %d %s", r.status, r.body, c.status, c.code)
			}
		})
	}
	noCSRF := *teacher
	noCSRF.csrf = ""
	_, r := noCSRF.tusCreate(t, 10, meta("a.txt"))
	want(t, r, http.StatusForbidden, "csrf")

	// Refused at the end, from the bytes: a lying extension, a type
	// materials may not have. The same bytes again: the first material.
	for _, c := range []struct {
		name, file string
		data       []byte
		status     int
		code       string
	}{
		{"lying extension", "slides.pdf", []byte("this is not a PDF at all"), http.StatusUnsupportedMediaType, "type_mismatch"},
		{"HTML", "page.txt", []byte("<!DOCTYPE html><script>alert(1)</script>"), http.StatusUnsupportedMediaType, "unsupported_type"},
	} {
		st, body := teacher.upload(t, courseID, "", c.file, c.data)
		if st != c.status || (response{body: body}).code() != c.code {
			t.Errorf("%s: %d %q; want %d %s", c.name, st, body, c.status, c.code)
		}
	}
	st, body := teacher.upload(t, courseID, "", "copy.txt", []byte(strings.Repeat("a", 50_000)))
	var u uploaded
	if st != http.StatusOK || json.Unmarshal(body, &u) != nil || !u.Duplicate || u.Material.ID != first.ID {
		t.Fatalf("second upload of the same file: %d %s", st, body)
	}
	if left := files(t, filepath.Join(h.dir, "uploads")); len(left) != 0 {
		t.Fatalf("tus store keeps %v", left)
	}
	if blobs := files(t, filepath.Join(h.dir, "materials")); len(blobs) != 1 {
		t.Fatalf("blob store holds %v, want one blob", blobs)
	}
	list, err := h.svc.Store().Materials(t.Context(), courseID)
	if err != nil || len(list) != 1 {
		t.Fatalf("materials %v, %v", list, err)
	}
}

func (h *matHarness) lessonOf(t *testing.T, courseID string) string {
	t.Helper()
	c, err := h.st.Course(t.Context(), courseID)
	if err != nil {
		t.Fatal(err)
	}
	owner := h.signInAs(t, c.TeacherID)
	return owner.createLesson(t, courseID)
}

// signInAs signs in the account id (whose email ends @example.org and
// password is goodPassword).
func (h *matHarness) signInAs(t *testing.T, id string) *client {
	t.Helper()
	acc, err := h.st.Account(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return h.signIn(acc.Email, goodPassword)
}

// patternReader yields n bytes of a repeating text pattern without
// holding them.
type patternReader struct {
	left int64
	salt int // varies the bytes between readers
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), p.left))
	const pat = "0123456789abcdef\n"
	for i := range n {
		b[i] = pat[(i+p.salt)%len(pat)]
	}
	p.left -= int64(n)
	return n, nil
}

// TestTusUploadStreams uploads 256 MiB in one PATCH and samples the
// heap meanwhile: the server streams to disk (tus store, then blob
// store), so the heap stays far below the upload's size.
func TestTusUploadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 512 MiB to disk")
	}
	const size = 256 << 20
	h := newMatHarness(t, storetest.SQLite(t))
	teacher := h.teacher("teacher@example.org")
	courseID := teacher.createCourse(t, "Course")
	loc, r := teacher.tusCreate(t, size, map[string]string{"course_id": courseID, "filename": "big.txt"})
	want(t, r, http.StatusCreated)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	resp, body, err := teacher.tusPatch(t, loc, 0, &patternReader{left: size})
	close(stop)
	<-done
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: %v %v %s", resp, err, body)
	}
	var u uploaded
	if err := json.Unmarshal(body, &u); err != nil || u.Material.Size != size {
		t.Fatalf("material %+v, %v", u.Material, err)
	}
	growth := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("heap in use grew by at most %d KiB during a %d MiB upload", growth>>10, size>>20)
	if growth > 32<<20 {
		t.Fatalf("heap grew by %d MiB during a %d MiB upload: the upload is buffered", growth>>20, size>>20)
	}
	if !bytes.Equal(teacher.fetchMaterial(t, u.Material.ID, "bytes=0-16"), []byte("0123456789abcdef\n")) {
		t.Fatal("first bytes differ")
	}
}

// TestSweepUploads: an upload abandoned for a day is removed; a recent
// one stays.
func TestSweepUploads(t *testing.T) {
	h := newMatHarness(t, storetest.SQLite(t))
	teacher := h.teacher("teacher@example.org")
	courseID := teacher.createCourse(t, "Course")
	loc, r := teacher.tusCreate(t, 100, map[string]string{"course_id": courseID, "filename": "a.txt"})
	want(t, r, http.StatusCreated)
	if n, err := h.mats.SweepUploads(24 * time.Hour); err != nil || n != 0 {
		t.Fatalf("a fresh upload swept: %d, %v", n, err)
	}
	want(t, teacher.do("HEAD", loc, nil, "Tus-Resumable", "1.0.0"), http.StatusOK)
	h.clock.Add(25 * time.Hour)
	if n, err := h.mats.SweepUploads(24 * time.Hour); err != nil || n != 1 {
		t.Fatalf("swept %d, %v; want 1", n, err)
	}
	want(t, teacher.do("HEAD", loc, nil, "Tus-Resumable", "1.0.0"), http.StatusNotFound)
	if left := files(t, filepath.Join(h.dir, "uploads")); len(left) != 0 {
		t.Fatalf("left %v", left)
	}
}
