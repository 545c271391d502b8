package recorder

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bluenviron/gohlslib/v2/pkg/playlist"
)

// closeRecording ends the playlists of a recording a crash left open and
// returns the length of its longest one.
func (r *Recorder) closeRecording(dir string) (time.Duration, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*_stream.m3u8"))
	if err != nil {
		return 0, err
	}
	var longest time.Duration
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return 0, err
		}
		var m playlist.Media
		if err := m.Unmarshal(b); err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		longest = max(longest, mediaLength(&m))
		m.Endlist = true
		m.PlaylistType = ptr(playlist.MediaPlaylistTypeVOD)
		out, err := m.Marshal()
		if err != nil {
			return 0, err
		}
		if err := r.writeAtomic(name, out); err != nil {
			return 0, err
		}
	}
	return longest, nil
}

func mediaLength(m *playlist.Media) time.Duration {
	var d time.Duration
	for _, s := range m.Segments {
		d += s.Duration
	}
	return d
}

// Recordings lists a lesson's recordings, oldest first.
func (r *Recorder) Recordings(lessonID string) ([]Info, error) {
	if !validLesson(lessonID) {
		return nil, ErrNotFound
	}
	ctx, cancel := catalogCtx()
	defer cancel()
	return r.cat.LessonRecordings(ctx, lessonID)
}

// Recording returns one recording's description.
func (r *Recorder) Recording(lessonID, id string) (Info, error) {
	if !validLesson(lessonID) || !safeName(id) {
		return Info{}, ErrNotFound
	}
	ctx, cancel := catalogCtx()
	defer cancel()
	info, err := r.cat.Recording(ctx, lessonID, id)
	return info, notFound(err)
}

// recordingDir returns the directory of a recording's files.
func (r *Recorder) recordingDir(lessonID, id string) (string, error) {
	if !validLesson(lessonID) || !safeName(id) {
		return "", ErrNotFound
	}
	dir := filepath.Join(r.dir, lessonID, id)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", ErrNotFound
	}
	return dir, nil
}

// Delete removes a recording that is no longer being written: its files,
// then its description.
func (r *Recorder) Delete(lessonID, id string) error {
	info, err := r.Recording(lessonID, id)
	if err != nil {
		return err
	}
	if info.State == StateRecording {
		return fmt.Errorf("%w: recording %s is still being written", ErrBusy, id)
	}
	return r.remove(info)
}

func (r *Recorder) remove(info Info) error {
	if err := os.RemoveAll(filepath.Join(r.dir, info.Lesson, info.ID)); err != nil {
		return err
	}
	ctx, cancel := catalogCtx()
	defer cancel()
	return notFound(r.cat.DeleteRecording(ctx, info.Lesson, info.ID))
}

// Prune deletes the finished recordings older than age (the retention
// setting) and returns how many it deleted.
func (r *Recorder) Prune(age time.Duration, now time.Time) (int, error) {
	ctx, cancel := catalogCtx()
	list, err := r.cat.RecordingsEndedBefore(ctx, now.Add(-age))
	cancel()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, info := range list {
		if info.State == StateRecording || !validLesson(info.Lesson) || !safeName(info.ID) {
			continue
		}
		if err := r.remove(info); err != nil {
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
