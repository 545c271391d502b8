package recorder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"syscall"
	"time"

	"github.com/lectern/lectern/sfu"
)

// Source is what the recorder needs of the SFU.
type Source interface {
	RoomIDs() []string
	Tap(roomID string, opts ...sfu.TapOption) *sfu.Tap
}

// Policy says whether a lesson is recorded (its course's setting). Live
// HLS runs either way.
type Policy interface {
	Record(ctx context.Context, lessonID string) bool
}

// Notifier tells a lesson's teacher that its recording stopped.
type Notifier interface {
	RecordingStopped(lessonID string, err error)
}

// Recorder runs one HLS session per open room of the SFU.
type Recorder struct {
	src           Source
	cat           Catalog
	files         Files
	dir           string
	log           *slog.Logger
	policy        Policy
	notifier      Notifier
	grace         time.Duration
	minFree       uint64
	keyframeEvery time.Duration
	scanEvery     time.Duration

	mp4Mu sync.Mutex // serialises MP4 remuxes and SetHidden
	stats counters

	mu       sync.Mutex // guards sessions, ended, aac and closed
	sessions map[string]*session
	aac      map[string]*aacFeed // RTMP publishers' AAC, by lesson
	// ended holds lessons ended by End whose room is still open (it closes
	// just after): no new session starts for them until it has gone.
	ended  map[string]bool
	closed bool

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// Option configures a Recorder.
type Option func(*Recorder)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(r *Recorder) { r.log = l } }

// WithPolicy sets who decides whether a lesson is recorded (default: all are).
func WithPolicy(p Policy) Option { return func(r *Recorder) { r.policy = p } }

// WithNotifier sets who is told that a recording stopped.
func WithNotifier(n Notifier) Option { return func(r *Recorder) { r.notifier = n } }

// WithGrace sets how long a lesson's room may be gone (everyone briefly
// disconnected) before its stream and recording end. Default 30 s.
func WithGrace(d time.Duration) Option { return func(r *Recorder) { r.grace = d } }

// WithMinFree sets the free space below which recordings stop. Default 1 GiB.
func WithMinFree(bytes uint64) Option { return func(r *Recorder) { r.minFree = bytes } }

// WithKeyframeInterval sets how often the main video's publisher is asked
// for a keyframe (the segment length). Default 2 s.
func WithKeyframeInterval(d time.Duration) Option { return func(r *Recorder) { r.keyframeEvery = d } }

// New starts a recorder writing recordings under dir and describing them
// in cat. Descriptions still in recording.json files (before the catalog)
// are imported first, then recordings left unfinished by a previous run
// are closed.
func New(src Source, dir string, cat Catalog, opts ...Option) (*Recorder, error) {
	if cat == nil {
		return nil, errors.New("recorder: no catalog")
	}
	r := &Recorder{src: src, cat: cat, files: osFiles{}, dir: dir, log: slog.New(slog.DiscardHandler), grace: 30 * time.Second,
		minFree: 1 << 30, keyframeEvery: 2 * time.Second, scanEvery: 500 * time.Millisecond,
		sessions: map[string]*session{}, ended: map[string]bool{}, aac: map[string]*aacFeed{}, done: make(chan struct{})}
	for _, o := range opts {
		o(r)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	r.importLegacy()
	r.recover()
	r.wg.Add(1)
	go r.loop()
	return r, nil
}

func (r *Recorder) loop() {
	defer r.wg.Done()
	t := time.NewTicker(r.scanEvery)
	defer t.Stop()
	for {
		select {
		case <-r.done:
			return
		case <-t.C:
			r.scan(time.Now())
		}
	}
}

// scan starts a session for each new room and ends the sessions whose
// room has been gone for the grace period.
func (r *Recorder) scan(now time.Time) {
	open := map[string]bool{}
	for _, id := range r.src.RoomIDs() {
		open[id] = true
	}
	var start []string
	var end []*session
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	for id := range open {
		if s := r.sessions[id]; s != nil {
			s.goneSince = time.Time{}
		} else if validLesson(id) && !r.ended[id] {
			start = append(start, id)
		}
	}
	for id := range r.ended {
		if !open[id] {
			delete(r.ended, id)
		}
	}
	for id, s := range r.sessions {
		if open[id] {
			continue
		}
		if s.goneSince.IsZero() {
			s.goneSince = now
		}
		if now.Sub(s.goneSince) >= r.grace {
			delete(r.sessions, id)
			end = append(end, s)
		}
	}
	r.mu.Unlock()
	for _, s := range end {
		s.close()
	}
	for _, id := range start {
		record := r.policy == nil || r.policy.Record(context.Background(), id)
		s := newSession(r, id, record)
		r.mu.Lock()
		if r.closed || r.sessions[id] != nil || r.ended[id] {
			r.mu.Unlock()
			s.close()
			continue
		}
		r.sessions[id] = s
		r.mu.Unlock()
	}
}

// End ends a lesson's live stream and recording now (the lesson ended):
// the segment being written is finished and kept, the playlists are
// closed, and no new session starts for the lesson until its room has
// closed. It returns once the recording is complete.
func (r *Recorder) End(lessonID string) {
	r.mu.Lock()
	s := r.sessions[lessonID]
	delete(r.sessions, lessonID)
	if !r.closed {
		r.ended[lessonID] = true
	}
	r.mu.Unlock()
	if s != nil {
		s.close()
	}
}

func (r *Recorder) session(lessonID string) *session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sessions[lessonID]
}

// Close ends every session (their recordings complete) and waits.
func (r *Recorder) Close() error {
	r.closeOnce.Do(func() {
		close(r.done)
		r.wg.Wait()
		r.mu.Lock()
		r.closed = true
		ss := r.sessions
		r.sessions = map[string]*session{}
		r.mu.Unlock()
		for _, s := range ss {
			s.close()
		}
	})
	return nil
}

// notify counts a recording that failed and tells the lesson's teacher.
func (r *Recorder) notify(lessonID string, err error) {
	r.stats.failures.Add(1)
	if r.notifier != nil {
		r.notifier.RecordingStopped(lessonID, err)
	}
}

// checkDisk refuses when the recordings directory's file system has less
// than the configured free space.
func (r *Recorder) checkDisk() error {
	free, err := freeSpace(r.dir)
	if err != nil {
		return err
	}
	if free < r.minFree {
		return fmt.Errorf("%w: %d MiB free in %s, %d MiB needed", ErrDiskFull, free>>20, r.dir, r.minFree>>20)
	}
	return nil
}

func freeSpace(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

var lessonPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// validLesson reports whether id can name a directory and a URL segment.
func validLesson(id string) bool { return lessonPattern.MatchString(id) }

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)?$`)

// safeName reports whether a file name stays inside its directory.
func safeName(name string) bool { return len(name) <= 200 && namePattern.MatchString(name) }

// recover closes the recordings a previous run left unfinished (the
// server was killed): their playlists get #EXT-X-ENDLIST, and they are
// marked interrupted and truncated, with the length that was written.
func (r *Recorder) recover() {
	ctx, cancel := catalogCtx()
	list, err := r.cat.RecordingsInState(ctx, StateRecording)
	cancel()
	if err != nil {
		r.log.Error("unfinished recordings not looked for", "err", err)
		return
	}
	for _, info := range list {
		dir, err := r.recordingDir(info.Lesson, info.ID)
		var length time.Duration
		if err == nil {
			length, err = r.closeRecording(dir)
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			r.log.Warn("unfinished recording not closed", "lesson", info.Lesson, "recording", info.ID, "err", err)
			continue
		}
		info.State, info.Truncated, info.EndedAt = StateInterrupted, true, time.Now().UTC()
		info.DurationMS, info.Reason = length.Milliseconds(), "the server stopped during the recording"
		ctx, cancel := catalogCtx()
		err = r.cat.PutRecording(ctx, info)
		cancel()
		if err != nil {
			r.log.Warn("unfinished recording not marked", "lesson", info.Lesson, "recording", info.ID, "err", err)
			continue
		}
		r.log.Info("unfinished recording closed", "lesson", info.Lesson, "recording", info.ID, "duration", length)
	}
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(lessonID string, err error)

// RecordingStopped implements Notifier.
func (f NotifierFunc) RecordingStopped(lessonID string, err error) { f(lessonID, err) }

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(ctx context.Context, lessonID string) bool

// Record implements Policy.
func (f PolicyFunc) Record(ctx context.Context, lessonID string) bool { return f(ctx, lessonID) }
