package recorder

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// legacyInfoFile is where recordings made before the catalog existed kept
// their description, next to their files. They are imported once, at
// start, and the file is renamed (legacyImported), kept as a backup.
const (
	legacyInfoFile = "recording.json"
	legacyImported = "recording.json.imported"
)

// legacyInfo is recording.json's format.
type legacyInfo struct {
	ID         string    `json:"id"`
	Lesson     string    `json:"lesson"`
	State      string    `json:"state"`
	StartedAt  time.Time `json:"started_at"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
	DurationMS int64     `json:"duration_ms"`
	Size       int64     `json:"size"`
	Reason     string    `json:"reason,omitempty"`
	Hidden     bool      `json:"hidden,omitempty"`
}

// importLegacy moves the descriptions of recording.json files into the
// catalog. A recording that was still being written is imported as such
// and closed by recover, which runs next.
func (r *Recorder) importLegacy() {
	paths, _ := filepath.Glob(filepath.Join(r.dir, "*", "*", legacyInfoFile))
	n := 0
	for _, path := range paths {
		info, err := readLegacy(path)
		if err != nil {
			r.log.Warn("recording.json not imported", "path", path, "err", err)
			continue
		}
		ctx, cancel := catalogCtx()
		_, err = r.cat.ImportRecording(ctx, info)
		cancel()
		if err != nil {
			r.log.Warn("recording.json not imported", "path", path, "err", err)
			continue
		}
		if err := os.Rename(path, filepath.Join(filepath.Dir(path), legacyImported)); err != nil {
			r.log.Warn("imported recording.json not renamed", "path", path, "err", err)
		}
		n++
	}
	if n > 0 {
		r.log.Info("recording.json files imported into the database", "count", n)
	}
}

func readLegacy(path string) (Info, error) {
	var li legacyInfo
	b, err := os.ReadFile(path)
	if err != nil {
		return Info{}, err
	}
	if err := json.Unmarshal(b, &li); err != nil {
		return Info{}, err
	}
	dir, lesson := filepath.Base(filepath.Dir(path)), filepath.Base(filepath.Dir(filepath.Dir(path)))
	if li.ID != dir || li.Lesson != lesson || !validLesson(li.Lesson) || !safeName(li.ID) {
		return Info{}, fmt.Errorf("it names %s/%s, its directory %s/%s", li.Lesson, li.ID, lesson, dir)
	}
	return Info{ID: li.ID, Lesson: li.Lesson, State: li.State, StartedAt: li.StartedAt, EndedAt: li.EndedAt,
		DurationMS: li.DurationMS, Size: li.Size, Reason: li.Reason, Hidden: li.Hidden,
		Truncated: li.State == StateStopped || li.State == StateInterrupted}, nil
}
