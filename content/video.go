package content

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rendition is one HLS output of a video.
type Rendition struct {
	Name    string // directory name, e.g. "360p"
	Height  int
	Bitrate int // video bits per second
}

// DefaultRenditions are 360p and 720p; a rendition taller than the source
// is skipped (the smallest is always made).
var DefaultRenditions = []Rendition{{"360p", 360, 800_000}, {"720p", 720, 2_500_000}}

// Processor turns uploaded videos into HLS renditions with ffmpeg, one at
// a time. Its queue is the store itself: every video material whose status
// is "processing", oldest first, so a restart resumes where it stopped
// (a job cut by the restart starts again). Progress is written to the
// material; a failure sets it "failed" with ffmpeg's reason, and the
// original stays served either way.
type Processor struct {
	svc        *Service
	dir        string // <data-dir>/hls
	ffmpeg     string
	ffprobe    string
	renditions []Rendition
	log        *slog.Logger

	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	closed sync.Once
}

// FindFFmpeg returns the paths of ffmpeg and ffprobe, or an error naming
// the one missing.
func FindFFmpeg() (ffmpeg, ffprobe string, err error) {
	if ffmpeg, err = exec.LookPath("ffmpeg"); err != nil {
		return "", "", err
	}
	if ffprobe, err = exec.LookPath("ffprobe"); err != nil {
		return "", "", err
	}
	return ffmpeg, ffprobe, nil
}

// NewProcessor returns a processor writing under dir. Call Start.
func NewProcessor(svc *Service, dir, ffmpeg, ffprobe string, log *slog.Logger) *Processor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Processor{svc: svc, dir: dir, ffmpeg: ffmpeg, ffprobe: ffprobe, renditions: DefaultRenditions, log: log,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// HLSDir is where a material's renditions are (master.m3u8 inside).
func (p *Processor) HLSDir(materialID string) string { return filepath.Join(p.dir, materialID) }

// Start runs the worker until Close.
func (p *Processor) Start() {
	p.once.Do(func() {
		go p.run()
		p.Wake()
	})
}

// Wake tells the worker a job may be waiting.
func (p *Processor) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Close stops the worker, killing a running ffmpeg, and waits for it. It
// is idempotent. The interrupted job stays queued.
func (p *Processor) Close() error {
	p.closed.Do(func() {
		close(p.stop)
		p.once.Do(func() { close(p.done) }) // never started
		<-p.done
	})
	return nil
}

func (p *Processor) run() {
	defer close(p.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-p.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	tick := time.NewTicker(time.Minute) // in case a wake-up was missed
	defer tick.Stop()
	for {
		for {
			m, ok, err := p.next(ctx)
			if err != nil && ctx.Err() == nil {
				p.log.Warn("video queue", "err", err)
			}
			if !ok || ctx.Err() != nil {
				break
			}
			p.process(ctx, m)
		}
		select {
		case <-p.stop:
			return
		case <-p.wake:
		case <-tick.C:
		}
	}
}

// next is the oldest video waiting for processing.
func (p *Processor) next(ctx context.Context) (Material, bool, error) {
	list, err := p.svc.store.ProcessingMaterials(ctx)
	if err != nil || len(list) == 0 {
		return Material{}, false, err
	}
	return list[0], true, nil
}

// process transcodes one material and records the outcome.
func (p *Processor) process(ctx context.Context, m Material) {
	start := time.Now()
	err := p.transcode(ctx, m)
	if ctx.Err() != nil {
		return // shutting down: the job stays queued
	}
	m.Progress = 100
	m.Status, m.Detail = StatusReady, ""
	if err != nil {
		m.Status, m.Detail, m.Progress = StatusFailed, err.Error(), 0
		_ = os.RemoveAll(p.HLSDir(m.ID))
		p.log.Warn("video processing failed", "material", m.ID, "err", err)
	} else {
		p.log.Info("video processed", "material", m.ID, "took", time.Since(start).Round(time.Millisecond))
	}
	if err := p.svc.store.SetMaterialStatus(context.WithoutCancel(ctx), m.ID, m.Status, m.Detail, m.Progress); err != nil {
		p.log.Error("recording a video's processing", "material", m.ID, "err", err)
	}
}

// probe reads a video's duration and height with ffprobe.
func (p *Processor) probe(ctx context.Context, in string) (time.Duration, int, error) {
	out, err := exec.CommandContext(ctx, p.ffprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=height:format=duration", "-of", "default=noprint_wrappers=1", in).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return 0, 0, fmt.Errorf("ffprobe: %s", strings.ReplaceAll(lastLine(ee.Stderr), in, "input"))
		}
		return 0, 0, fmt.Errorf("ffprobe: %w", err)
	}
	var (
		dur    float64
		height int
	)
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case "duration":
			dur, _ = strconv.ParseFloat(v, 64)
		case "height":
			height, _ = strconv.Atoi(v)
		}
	}
	if height == 0 {
		return 0, 0, errors.New("ffprobe: no video stream")
	}
	return time.Duration(dur * float64(time.Second)), height, nil
}

// transcode writes the renditions and master.m3u8 into a temporary
// directory and renames it into place when all are done.
func (p *Processor) transcode(ctx context.Context, m Material) error {
	local, ok := p.svc.blobs.(LocalBlobs)
	if !ok {
		return errors.New("video processing needs blobs on local disk")
	}
	in, err := local.Path(m.SHA256)
	if err != nil {
		return err
	}
	dur, height, err := p.probe(ctx, in)
	if err != nil {
		return err
	}
	var todo []Rendition
	for i, r := range p.renditions {
		if i == 0 || r.Height <= height {
			todo = append(todo, r)
		}
	}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(p.dir, ".tmp-"+m.ID+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var master strings.Builder
	master.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n")
	for i, r := range todo {
		dir := filepath.Join(tmp, r.Name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		report := func(frac float64) {
			pct := int((float64(i) + min(frac, 1)) / float64(len(todo)) * 100)
			if pct != m.Progress && pct < 100 {
				m.Progress = pct
				_ = p.svc.store.SetMaterialStatus(ctx, m.ID, m.Status, m.Detail, pct)
			}
		}
		if err := p.ffmpegRun(ctx, in, dir, r, dur, report); err != nil {
			return err
		}
		fmt.Fprintf(&master, "#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=%dx%d\n%s/index.m3u8\n",
			r.Bitrate+128_000, evenWidth(r.Height), r.Height, r.Name)
	}
	if err := os.WriteFile(filepath.Join(tmp, "master.m3u8"), []byte(master.String()), 0o600); err != nil {
		return err
	}
	final := p.HLSDir(m.ID)
	_ = os.RemoveAll(final)
	return os.Rename(tmp, final)
}

// evenWidth is the 16:9 width of a height, as the scale filter rounds it.
func evenWidth(h int) int { return (h*16/9 + 1) &^ 1 }

// ffmpegRun makes one rendition, reporting progress from -progress.
func (p *Processor) ffmpegRun(ctx context.Context, in, dir string, r Rendition, dur time.Duration, report func(float64)) error {
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-i", in,
		"-map", "0:v:0", "-map", "0:a:0?",
		"-vf", "scale=-2:" + strconv.Itoa(r.Height), "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main",
		"-b:v", strconv.Itoa(r.Bitrate), "-maxrate", strconv.Itoa(r.Bitrate * 3 / 2), "-bufsize", strconv.Itoa(r.Bitrate * 2),
		"-g", "48", "-keyint_min", "48", "-sc_threshold", "0",
		"-c:a", "aac", "-b:a", "128k", "-ac", "2",
		"-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod",
		"-hls_segment_filename", filepath.Join(dir, "seg%04d.ts"), filepath.Join(dir, "index.m3u8")}
	cmd := exec.CommandContext(ctx, p.ffmpeg, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 64 << 10}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("ffmpeg: %w", err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		if k == "out_time_us" && dur > 0 {
			if us, err := strconv.ParseInt(v, 10, 64); err == nil {
				report(float64(us) / float64(dur.Microseconds()))
			}
		}
	}
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := strings.ReplaceAll(strings.ReplaceAll(lastLine(stderr.Bytes()), in, "input"), dir, r.Name)
		return fmt.Errorf("ffmpeg (%s): %s", r.Name, msg)
	}
	return nil
}

// lastLine is the last non-empty line of b (ffmpeg's reason), at most 300
// bytes.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	s := strings.TrimSpace(lines[len(lines)-1])
	if s == "" {
		return "failed without a message"
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		_, _ = l.w.Write(p[:k])
	}
	return len(p), nil
}
