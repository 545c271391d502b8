package recorder

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/bluenviron/gohlslib/v2/pkg/playlist"
)

func readInfo(path string) (Info, error) {
	var info Info
	b, err := os.ReadFile(path)
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

// closeRecording ends the playlists of a recording a crash left open.
func closeRecording(dir string, info *Info) error {
	names, err := filepath.Glob(filepath.Join(dir, "*_stream.m3u8"))
	if err != nil {
		return err
	}
	var longest time.Duration
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		var m playlist.Media
		if err := m.Unmarshal(b); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var d time.Duration
		for _, s := range m.Segments {
			d += s.Duration
		}
		longest = max(longest, d)
		m.Endlist = true
		m.PlaylistType = ptr(playlist.MediaPlaylistTypeVOD)
		out, err := m.Marshal()
		if err != nil {
			return err
		}
		if err := writeAtomic(name, out); err != nil {
			return err
		}
	}
	info.State, info.EndedAt, info.DurationMS = StateInterrupted, time.Now().UTC(), longest.Milliseconds()
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, infoFile), b)
}

// Recordings lists a lesson's recordings, oldest first.
func (r *Recorder) Recordings(lessonID string) ([]Info, error) {
	if !validLesson(lessonID) {
		return nil, ErrNotFound
	}
	paths, err := filepath.Glob(filepath.Join(r.dir, lessonID, "*", infoFile))
	if err != nil {
		return nil, err
	}
	out := []Info{}
	for _, p := range paths {
		info, err := readInfo(p)
		if err != nil {
			r.log.Warn("recording info unreadable", "path", p, "err", err)
			continue
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Recording returns one recording's info.
func (r *Recorder) Recording(lessonID, id string) (Info, error) {
	dir, err := r.recordingDir(lessonID, id)
	if err != nil {
		return Info{}, err
	}
	info, err := readInfo(filepath.Join(dir, infoFile))
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, ErrNotFound
	}
	return info, err
}

// RecordingDir returns the directory of a finished recording.
func (r *Recorder) recordingDir(lessonID, id string) (string, error) {
	if !validLesson(lessonID) || !safeName(id) {
		return "", ErrNotFound
	}
	dir := filepath.Join(r.dir, lessonID, id)
	if _, err := os.Stat(filepath.Join(dir, infoFile)); err != nil {
		return "", ErrNotFound
	}
	return dir, nil
}

// Delete removes a recording that is no longer being written.
func (r *Recorder) Delete(lessonID, id string) error {
	info, err := r.Recording(lessonID, id)
	if err != nil {
		return err
	}
	if info.State == StateRecording {
		return fmt.Errorf("%w: recording %s is still being written", ErrBusy, id)
	}
	return os.RemoveAll(filepath.Join(r.dir, lessonID, id))
}

// Prune deletes the finished recordings older than age (the retention
// setting) and returns how many it deleted.
func (r *Recorder) Prune(age time.Duration, now time.Time) (int, error) {
	paths, err := filepath.Glob(filepath.Join(r.dir, "*", "*", infoFile))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range paths {
		info, err := readInfo(p)
		if err != nil || info.State == StateRecording || info.EndedAt.IsZero() || now.Sub(info.EndedAt) < age {
			continue
		}
		if err := os.RemoveAll(filepath.Dir(p)); err != nil {
			return n, err
		}
		r.log.Info("recording deleted after its retention period", "lesson", info.Lesson, "recording", info.ID)
		n++
	}
	return n, nil
}

func modTime(dir, file string) time.Time {
	if st, err := os.Stat(filepath.Join(dir, file)); err == nil {
		return st.ModTime()
	}
	return time.Time{}
}
