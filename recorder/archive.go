package recorder

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bluenviron/gohlslib/v2"
	"github.com/bluenviron/gohlslib/v2/pkg/playlist"
)

// archiveEvery is how often finished segments are copied to disk; the
// live muxer keeps 7 segments of at least a second, so none is missed.
const archiveEvery = time.Second

// Recording states.
const (
	StateRecording   = "recording"   // being written
	StateComplete    = "complete"    // the lesson ended
	StateStopped     = "stopped"     // stopped early (disk full, a write error); truncated
	StateInterrupted = "interrupted" // the server stopped during it; closed at the next start, truncated
)

// archive copies a session's finished segments to the recording's
// directory and keeps its playlists current.
type archive struct {
	s   *session
	dir string
	log *slog.Logger

	mu       sync.Mutex // guards everything below (the loop and close)
	info     Info
	copied   map[string]bool
	media    map[string]*playlist.Media // by playlist file name
	order    []string
	variants []byte // the multivariant playlist as last written
	stopped  bool

	done chan struct{}
	wg   sync.WaitGroup
}

func (r *Recorder) newArchive(s *session) (*archive, error) {
	if err := r.checkDisk(); err != nil {
		return nil, err
	}
	id := time.Now().UTC().Format("20060102T150405.000Z")
	dir := filepath.Join(r.dir, s.lesson, id)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	a := &archive{s: s, dir: dir, log: s.log.With("recording", id), copied: map[string]bool{},
		media: map[string]*playlist.Media{}, done: make(chan struct{}),
		info: Info{ID: id, Lesson: s.lesson, State: StateRecording, StartedAt: time.Now().UTC()}}
	if err := a.writeInfo(); err != nil {
		return nil, err
	}
	a.log.Info("recording started", "dir", dir)
	r.stats.active.Add(1)
	a.wg.Add(1)
	go a.loop()
	return a, nil
}

func (a *archive) loop() {
	defer a.wg.Done()
	t := time.NewTicker(archiveEvery)
	defer t.Stop()
	for {
		select {
		case <-a.done:
			return
		case <-t.C:
			a.mu.Lock()
			a.sync()
			a.mu.Unlock()
		}
	}
}

// sync copies what the muxer has finished since the last call. Called
// with a.mu held.
func (a *archive) sync() {
	if a.stopped || !a.s.ready.Load() {
		return
	}
	if err := a.s.r.checkDisk(); err != nil {
		a.stop(StateStopped, err.Error())
		a.log.Error("recording stopped: disk full; the live lesson goes on", "dir", a.dir, "err", err)
		a.s.r.notify(a.s.lesson, err)
		return
	}
	m := a.s.muxer.Load()
	mv, err := fetch(m, "index.m3u8")
	if err != nil {
		a.log.Warn("multivariant playlist", "err", err)
		return
	}
	pl, err := playlist.Unmarshal(mv)
	if err != nil {
		a.log.Warn("multivariant playlist", "err", err)
		return
	}
	mvp, ok := pl.(*playlist.Multivariant)
	if !ok {
		return
	}
	var names []string
	for _, v := range mvp.Variants {
		names = append(names, v.URI)
	}
	for _, rd := range mvp.Renditions {
		if rd.URI != nil && *rd.URI != "" {
			names = append(names, *rd.URI)
		}
	}
	for _, name := range names {
		if err := a.syncMedia(m, name); err != nil {
			if errors.Is(err, errWrite) {
				a.log.Error("recording stopped: its files cannot be written (disk full?); it keeps what was written, and the live lesson goes on",
					"dir", a.dir, "err", err)
				a.stop(StateStopped, err.Error())
				a.s.r.notify(a.s.lesson, err)
				return
			}
			a.log.Warn("recording not updated", "playlist", name, "err", err)
		}
	}
	if !bytes.Equal(mv, a.variants) {
		if err := a.s.r.writeAtomic(filepath.Join(a.dir, "index.m3u8"), mv); err != nil {
			a.log.Warn("multivariant playlist not written", "err", err)
		} else {
			a.variants = mv
		}
	}
	_ = a.writeInfo()
}

var errWrite = errors.New("recorder: write failed")

// syncMedia copies the new init section and segments of one media
// playlist and rewrites the recording's copy of it.
func (a *archive) syncMedia(m *gohlslib.Muxer, name string) error {
	if !safeName(name) {
		return fmt.Errorf("unexpected playlist name %q", name)
	}
	raw, err := fetch(m, name)
	if err != nil {
		return err
	}
	var live playlist.Media
	if err := live.Unmarshal(raw); err != nil {
		return err
	}
	rec := a.media[name]
	if rec == nil {
		rec = &playlist.Media{Version: live.Version, IndependentSegments: true, TargetDuration: live.TargetDuration,
			PlaylistType: ptr(playlist.MediaPlaylistTypeEvent)}
		a.media[name] = rec
		a.order = append(a.order, name)
	}
	changed := false
	if live.Map != nil && (rec.Map == nil || rec.Map.URI != live.Map.URI) {
		if err := a.copyFile(m, live.Map.URI); err != nil {
			return err
		}
		// A new init section (parameters changed) is a discontinuity.
		if rec.Map != nil {
			changed = true
		}
		rec.Map = &playlist.MediaMap{URI: live.Map.URI}
	}
	for _, seg := range live.Segments {
		if seg.Gap || a.copied[seg.URI] {
			continue
		}
		if err := a.copyFile(m, seg.URI); err != nil {
			return err
		}
		a.s.r.stats.segments.Add(1)
		rec.Segments = append(rec.Segments, &playlist.MediaSegment{Duration: seg.Duration, URI: seg.URI,
			DateTime: seg.DateTime, Discontinuity: changed})
		changed = false
		if d := int((seg.Duration + time.Second - 1) / time.Second); d > rec.TargetDuration {
			rec.TargetDuration = d
		}
	}
	if len(rec.Segments) == 0 {
		return nil
	}
	return a.writeMedia(name, rec)
}

func (a *archive) writeMedia(name string, rec *playlist.Media) error {
	out, err := rec.Marshal()
	if err != nil {
		return err
	}
	if err := a.s.r.writeAtomic(filepath.Join(a.dir, name), out); err != nil {
		return fmt.Errorf("%w: %w", errWrite, err)
	}
	return nil
}

func (a *archive) copyFile(m *gohlslib.Muxer, name string) error {
	if !safeName(name) {
		return fmt.Errorf("unexpected file name %q", name)
	}
	if a.copied[name] {
		return nil
	}
	b, err := fetch(m, name)
	if err != nil {
		return err
	}
	if err := a.s.r.writeAtomic(filepath.Join(a.dir, name), b); err != nil {
		return fmt.Errorf("%w: %w", errWrite, err)
	}
	a.copied[name] = true
	a.info.Size += int64(len(b))
	a.s.r.stats.bytes.Add(uint64(len(b)))
	return nil
}

// stop ends the recording early or at the end: playlists closed with
// #EXT-X-ENDLIST. Called with a.mu held.
func (a *archive) stop(state, reason string) {
	if a.stopped {
		return
	}
	a.stopped = true
	a.s.r.stats.active.Add(-1)
	for _, name := range a.order {
		rec := a.media[name]
		if len(rec.Segments) == 0 {
			continue
		}
		rec.Endlist = true
		rec.PlaylistType = ptr(playlist.MediaPlaylistTypeVOD)
		if err := a.writeMedia(name, rec); err != nil {
			// The copy on disk lists every segment copied so far (it is
			// rewritten after each); ending it takes a few bytes.
			if err := a.s.r.endPlaylist(filepath.Join(a.dir, name)); err != nil {
				a.log.Error("recording playlist not closed", "playlist", name, "err", err)
			}
		}
	}
	a.info.State, a.info.Reason, a.info.EndedAt = state, reason, time.Now().UTC()
	a.info.Truncated = state != StateComplete
	if err := a.writeInfo(); err != nil {
		a.log.Error("recording info not written", "err", err)
	}
	a.log.Info("recording ended", "state", state, "duration", time.Duration(a.info.DurationMS)*time.Millisecond, "bytes", a.info.Size)
}

// close copies what is left and closes the playlists.
func (a *archive) close() {
	close(a.done)
	a.wg.Wait()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sync()
	a.stop(StateComplete, "")
}

// writeInfo stores the recording's description in the catalog.
func (a *archive) writeInfo() error {
	var longest time.Duration
	for _, rec := range a.media {
		longest = max(longest, mediaLength(rec))
	}
	a.info.DurationMS = longest.Milliseconds()
	ctx, cancel := catalogCtx()
	defer cancel()
	return a.s.r.cat.PutRecording(ctx, a.info)
}

func ptr[T any](v T) *T { return &v }

// fetch asks the muxer for one of its files in-process.
func fetch(m *gohlslib.Muxer, name string) ([]byte, error) {
	w := &memResponse{code: http.StatusOK, h: http.Header{}}
	req, err := http.NewRequest(http.MethodGet, "/"+name, nil)
	if err != nil {
		return nil, err
	}
	m.Handle(w, req)
	if w.code != http.StatusOK || w.body.Len() == 0 {
		return nil, fmt.Errorf("%w: %s (%d)", ErrNotFound, name, w.code)
	}
	return w.body.Bytes(), nil
}

// memResponse is an http.ResponseWriter into memory.
type memResponse struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (w *memResponse) Header() http.Header         { return w.h }
func (w *memResponse) Write(b []byte) (int, error) { return w.body.Write(b) }
func (w *memResponse) WriteHeader(code int)        { w.code = code }
