package api_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/recorder"
	"github.com/lectern/lectern/rtmpingest"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/store"
)

// fakeRecording writes a finished 4-second fMP4 HLS recording (H.264 +
// Opus, made by ffmpeg) where the recorder keeps lesson's recordings, and
// its description in the store.
func fakeRecording(t *testing.T, st *store.Store, dir, lesson, id string) {
	t.Helper()
	bin, err := exec.LookPath("ffmpeg")
	testenv.Require(t, "ffmpeg", err)
	rd := filepath.Join(dir, lesson, id)
	if err := os.MkdirAll(rd, 0o750); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "4",
		"-c:v", "libx264", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "libopus",
		"-f", "hls", "-hls_segment_type", "fmp4", "-hls_playlist_type", "vod", "-hls_time", "1",
		filepath.Join(rd, "index.m3u8"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, b)
	}
	if err := st.PutRecording(t.Context(), recorder.Info{ID: id, Lesson: lesson, State: recorder.StateComplete,
		StartedAt: time.Now().Add(-time.Minute), EndedAt: time.Now(), DurationMS: 4000, Size: 1}); err != nil {
		t.Fatal(err)
	}
}

type recordingsJSON struct {
	Recordings []struct {
		ID          string `json:"id"`
		State       string `json:"state"`
		DurationMS  int64  `json:"duration_ms"`
		Published   bool   `json:"published"`
		PlaylistURL string `json:"playlist_url"`
		DownloadURL string `json:"download_url"`
	} `json:"recordings"`
}

// TestRecordings: the teacher lists, downloads (an MP4 that ffprobes),
// unpublishes and deletes a recording; an enrolled student lists it but
// may not download it, nor see it once unpublished; an admin outside the
// course manages it; a stranger and a student without the entitlement
// get 403 on both.
func TestRecordings(t *testing.T) {
	_, err := exec.LookPath("ffprobe")
	testenv.Require(t, "ffprobe", err)
	forEachBackend(t, func(t *testing.T, h *harness) {
		s, err := sfu.New(sfu.Config{Loopback: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		dir := t.TempDir()
		rec, err := recorder.New(s, dir, h.st, recorder.WithMinFree(0))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = rec.Close() })
		mux := http.NewServeMux()
		h.api.Register(mux)
		api.NewRecordings(h.api, rec).WithSettings(h.st).Register(mux)
		h.srv.Config.Handler = mux

		tch := h.teacher("tch@example.org")
		stu := h.register("stu@example.org", "S")
		stranger := h.register("x@example.org", "X")
		c := tch.course("Recorded")
		l := tch.lesson(c.ID, "Lesson one", t0, 60)
		want(t, stu.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusCreated)
		const id = "20261129T050000.000Z"
		fakeRecording(t, h.st, dir, l.ID, id)
		base := "/api/v1/lessons/" + l.ID + "/recordings"

		var list recordingsJSON
		r := tch.do("GET", base, nil)
		want(t, r, http.StatusOK)
		r.decode(t, &list)
		if len(list.Recordings) != 1 || list.Recordings[0].DownloadURL == "" || !list.Recordings[0].Published ||
			strings.Contains(string(r.body), `"truncated"`) {
			t.Fatalf("teacher's list: %s", r.body)
		}
		// Without HLS grants configured the playlist URL is empty; the
		// recorder's own tests cover the grant.
		r = tch.do("GET", list.Recordings[0].DownloadURL, nil)
		want(t, r, http.StatusOK)
		mp4 := filepath.Join(t.TempDir(), "dl.mp4")
		if err := os.WriteFile(mp4, r.body, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration,format_name", "-of", "csv=p=0", mp4).Output()
		if err != nil || !strings.Contains(string(out), "h264") || !strings.Contains(string(out), "mp4") {
			t.Fatalf("downloaded MP4 ffprobes as %q (%v)", out, err)
		}

		r = stu.do("GET", base, nil)
		want(t, r, http.StatusOK)
		list = recordingsJSON{}
		r.decode(t, &list)
		if len(list.Recordings) != 1 || list.Recordings[0].DownloadURL != "" {
			t.Fatalf("student's list: %s", r.body)
		}
		want(t, stu.do("GET", base+"/"+id+"/mp4", nil), http.StatusForbidden)
		// The teacher allows downloads: the student may download.
		sbase := "/api/v1/courses/" + c.ID + "/recording-settings"
		want(t, stu.do("PUT", sbase, map[string]any{"student_download": true}), http.StatusForbidden)
		r = tch.do("PUT", sbase, map[string]any{"student_download": true})
		want(t, r, http.StatusOK)
		if !strings.Contains(string(r.body), `"record":true`) || !strings.Contains(string(r.body), `"student_download":true`) {
			t.Errorf("settings after PUT: %s", r.body)
		}
		want(t, stu.do("GET", base+"/"+id+"/mp4", nil), http.StatusOK)
		want(t, tch.do("PUT", sbase, map[string]any{"student_download": false}), http.StatusOK)
		want(t, stu.do("GET", base+"/"+id+"/mp4", nil), http.StatusForbidden)
		want(t, tch.do("PUT", sbase, map[string]any{"record": "yes"}), http.StatusBadRequest)
		want(t, stranger.do("GET", base, nil), http.StatusForbidden)
		want(t, stranger.do("GET", base+"/"+id+"/mp4", nil), http.StatusForbidden)
		want(t, stu.do("PATCH", base+"/"+id, map[string]any{"published": false}), http.StatusForbidden)
		want(t, stu.do("DELETE", base+"/"+id, nil), http.StatusForbidden)
		want(t, tch.do("GET", base+"/..%2f..%2fsecret/mp4", nil), http.StatusNotFound)

		want(t, tch.do("PATCH", base+"/"+id, map[string]any{"published": false}), http.StatusOK)
		r = stu.do("GET", base, nil)
		list = recordingsJSON{}
		r.decode(t, &list)
		if len(list.Recordings) != 0 {
			t.Fatalf("an unpublished recording is listed to a student: %s", r.body)
		}
		// An admin outside the course passes the replay door as an
		// observer and manages the recordings: the unpublished one is
		// listed, downloadable.
		admin := h.register("admin@example.org", "A")
		h.grant(admin, classroom.RoleAdmin)
		r = admin.do("GET", base, nil)
		want(t, r, http.StatusOK)
		list = recordingsJSON{}
		r.decode(t, &list)
		if len(list.Recordings) != 1 || list.Recordings[0].Published || list.Recordings[0].DownloadURL == "" {
			t.Fatalf("admin's list: %s", r.body)
		}
		// A recording stopped early is listed as truncated.
		if err := h.st.PutRecording(t.Context(), recorder.Info{ID: "20261129T060000.000Z", Lesson: l.ID, State: recorder.StateStopped,
			StartedAt: time.Now().Add(-time.Minute), EndedAt: time.Now(), Truncated: true, Reason: "disk full"}); err != nil {
			t.Fatal(err)
		}
		r = tch.do("GET", base, nil)
		if !strings.Contains(string(r.body), `"state":"stopped","started_at"`) || !strings.Contains(string(r.body), `"truncated":true`) {
			t.Errorf("a recording stopped early, listed: %s", r.body)
		}
		want(t, tch.do("DELETE", base+"/"+id, nil), http.StatusNoContent)
		want(t, tch.do("GET", base+"/"+id+"/mp4", nil), http.StatusNotFound)
		if _, err := os.Stat(filepath.Join(dir, l.ID, id)); !os.IsNotExist(err) {
			t.Fatalf("deleted recording still on disk: %v", err)
		}
	})
}

// TestRecordingsNeedEntitlement: an enrolled student whom the access
// policy refuses (no entitlement, or refunded) gets 403 on the list and
// the download.
func TestRecordingsNeedEntitlement(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		s, err := sfu.New(sfu.Config{Loopback: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		rec, err := recorder.New(s, t.TempDir(), h.st, recorder.WithMinFree(0))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = rec.Close() })
		mux := http.NewServeMux()
		h.api.Register(mux)
		keys := rtmpingest.NewKeys(testSecret)
		api.NewRecordings(h.api, rec).WithStreamKeys(keys, "rtmp://lectern.test:1935/live").Register(mux)
		h.srv.Config.Handler = mux
		tch := h.teacher("tch@example.org")
		stu := h.register("stu@example.org", "S")
		c := tch.course("Paid")
		l := tch.lesson(c.ID, "Paid lesson", t0, 60)
		if err := h.st.Enrol(t.Context(), classroom.Enrolment{CourseID: c.ID, AccountID: stu.id, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/lessons/" + l.ID + "/recordings"
		want(t, stu.do("GET", base, nil), http.StatusForbidden)
		want(t, stu.do("GET", base+"/x/mp4", nil), http.StatusForbidden)
		want(t, tch.do("GET", base, nil), http.StatusOK)

		// The stream key is the teacher's to see.
		r := tch.do("GET", "/api/v1/lessons/"+l.ID+"/stream-key", nil)
		want(t, r, http.StatusOK)
		var sk struct{ Server, Key string }
		r.decode(t, &sk)
		if got, ok := keys.Lesson(sk.Key); !ok || got != l.ID || sk.Server != "rtmp://lectern.test:1935/live" {
			t.Errorf("stream key answer %s", r.body)
		}
		want(t, stu.do("GET", "/api/v1/lessons/"+l.ID+"/stream-key", nil), http.StatusForbidden)
	}, func(c *api.Config) { c.Access = paidOnly{} })
}
