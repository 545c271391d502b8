package recorder_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/recorder"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// openRecorder starts a recorder on dir and st, without rooms.
func openRecorder(t *testing.T, dir string, st *store.Store) *recorder.Recorder {
	t.Helper()
	s, err := sfu.New(sfu.Config{Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	rec, err := recorder.New(s, dir, st, recorder.WithMinFree(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rec.Close() })
	return rec
}

const openPlaylist = `#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-MAP:URI="init.mp4"
#EXTINF:2.00000,
seg1.mp4
#EXTINF:1.50000,
seg2.mp4
`

// TestImportLegacyRecordings: at its first start on a database the
// recorder imports the recording.json files of older versions (published
// state included), closes the one a crash left open (#EXT-X-ENDLIST,
// interrupted, truncated, the length it had), and renames the files; a
// second start imports nothing again, so a change made since stays.
func TestImportLegacyRecordings(t *testing.T) {
	dir := t.TempDir()
	write := func(lesson, id, state string, hidden bool, playlist string) {
		d := filepath.Join(dir, lesson, id)
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]any{"id": id, "lesson": lesson, "state": state, "started_at": time.Now().Add(-time.Hour),
			"duration_ms": 3500, "size": 1234, "hidden": hidden})
		if err := os.WriteFile(filepath.Join(d, "recording.json"), b, 0o640); err != nil {
			t.Fatal(err)
		}
		if playlist != "" {
			if err := os.WriteFile(filepath.Join(d, "video1_stream.m3u8"), []byte(playlist), 0o640); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("lesson-a", "20261101T090000.000Z", recorder.StateComplete, true, "")
	write("lesson-a", "20261102T090000.000Z", recorder.StateRecording, false, openPlaylist)
	write("lesson-b", "20261103T090000.000Z", "complete", false, "")
	// A file whose content names another directory is left alone.
	write("lesson-c", "20261104T090000.000Z", "complete", false, "")
	if err := os.WriteFile(filepath.Join(dir, "lesson-c", "20261104T090000.000Z", "recording.json"),
		[]byte(`{"id":"elsewhere","lesson":"lesson-c","state":"complete"}`), 0o640); err != nil {
		t.Fatal(err)
	}

	st := storetest.SQLite(t)
	rec := openRecorder(t, dir, st)
	list, err := rec.Recordings("lesson-a")
	if err != nil || len(list) != 2 {
		t.Fatalf("lesson-a: %+v %v", list, err)
	}
	if a := list[0]; a.State != recorder.StateComplete || !a.Hidden || a.Truncated || a.Size != 1234 || a.DurationMS != 3500 {
		t.Errorf("imported complete recording: %+v", a)
	}
	if b := list[1]; b.State != recorder.StateInterrupted || !b.Truncated || b.DurationMS != 3500 || b.EndedAt.IsZero() {
		t.Errorf("imported unfinished recording: %+v, want interrupted, truncated, 3.5 s", b)
	}
	pl, _ := os.ReadFile(filepath.Join(dir, "lesson-a", list[1].ID, "video1_stream.m3u8"))
	if !strings.Contains(string(pl), "#EXT-X-ENDLIST") {
		t.Errorf("the unfinished recording's playlist is not closed:\n%s", pl)
	}
	if l, _ := rec.Recordings("lesson-b"); len(l) != 1 {
		t.Errorf("lesson-b: %+v", l)
	}
	if l, _ := rec.Recordings("lesson-c"); len(l) != 0 {
		t.Errorf("a recording.json naming another directory was imported: %+v", l)
	}
	for _, p := range []string{"lesson-a/20261101T090000.000Z", "lesson-b/20261103T090000.000Z"} {
		if _, err := os.Stat(filepath.Join(dir, p, "recording.json")); !os.IsNotExist(err) {
			t.Errorf("%s/recording.json still there after the import: %v", p, err)
		}
		if _, err := os.Stat(filepath.Join(dir, p, "recording.json.imported")); err != nil {
			t.Errorf("%s: no backup of recording.json: %v", p, err)
		}
	}

	if _, err := rec.SetHidden("lesson-a", list[0].ID, false); err != nil {
		t.Fatal(err)
	}
	_ = rec.Close()
	rec = openRecorder(t, dir, st)
	if l, _ := rec.Recordings("lesson-a"); len(l) != 2 || l[0].Hidden {
		t.Fatalf("after a restart: %+v, want the republished recording as it was left", l)
	}
}
