package bench

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/lectern/lectern/token"
)

// Config describes one run. The zero value (with MediaDir found) runs 10
// students for 10 s against an in-process server.
type Config struct {
	// URL is a running server's base URL (http://host:port). Empty starts
	// a server in this process.
	URL string
	// Signer mints join tokens for a server given by URL; it must share
	// the server's secret. Ignored in-process.
	Signer *token.Signer
	// ServerPID is the process whose CPU and memory are sampled; 0 is this
	// process (the only choice in-process).
	ServerPID int

	Lesson      string        // empty: a fresh id
	Subscribers int           // students in a fixed run; default 10
	Duration    time.Duration // measuring window of a run or ramp step; default 10 s
	Baseline    time.Duration // teacher-only window before students join; default 2 s

	Ramp bool // grow the number of students until a limit is passed
	Step int  // students added per ramp step; default 10
	Max  int  // ramp stops here; default 500

	Chatters     int           // students that chat
	ChatInterval time.Duration // between two messages of one chatter; default 2 s

	// MediaDir holds teacher.ivf and teacher.ogg, and sim_q/h/f.ivf for
	// simulcast. Default: testdata/media found from the working directory
	// upwards.
	MediaDir string
	// Layers is 1 (one VP8 stream) or 3 (simulcast, needs sim_*.ivf and a
	// simulcast publisher). Default: 3 when available, else 1.
	Layers int
	// Video is the VP8 clip (IVF) a one-layer teacher sends: a file in
	// MediaDir, or a path. Default teacher.ivf (320×240, ≈ 300 kbps);
	// sim_f.ivf (640×480, ≈ 1.2 Mbps) is nearer a real camera.
	Video string

	// PaceKbps is how fast the teacher's video may leave, as a browser's
	// pacer sends at 2.5 × its target bitrate in 5 ms slices so that a
	// keyframe does not leave in one burst; default 3,750 (a 1.5 Mbps
	// camera's). Burst turns the pacer off: each frame's packets are
	// written back to back, a harsher load than a browser sends (and
	// PaceKbps is then 0 once defaults are applied).
	PaceKbps int
	Burst    bool
	// DeafTeacher never answers a keyframe request (a slow encoder, or a
	// fixed GOP): a student's first frame then comes from the server's
	// keyframe cache or the next scheduled keyframe (1 s GOP here).
	DeafTeacher bool

	// Frames makes students reassemble every video frame (as a decoder
	// would, and to count complete frames); by default they decrypt and
	// count packets only, so that one core of students can follow a
	// server past 150 of them. FPS then counts marker bits.
	Frames bool

	JoinConcurrency int           // students joining at once; default 4
	JoinTimeout     time.Duration // to the first frame; default 15 s

	LossLimit  float64       // ramp limit on loss; default 0.01
	DelayLimit time.Duration // ramp limit on p99 delay; default 50 ms

	// Logger receives progress; nil discards it.
	Logger *slog.Logger
	// ServerLogger receives the in-process server's logs; nil discards.
	ServerLogger *slog.Logger
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("bench: bad configuration")

func (c Config) withDefaults() (Config, error) {
	if c.Subscribers <= 0 {
		c.Subscribers = 10
	}
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	if c.Baseline <= 0 {
		c.Baseline = 2 * time.Second
	}
	if c.Step <= 0 {
		c.Step = 10
	}
	if c.Max <= 0 {
		c.Max = 500
	}
	if c.ChatInterval <= 0 {
		c.ChatInterval = 2 * time.Second
	}
	if c.Burst {
		c.PaceKbps = 0 // no pacer
	} else if c.PaceKbps <= 0 {
		c.PaceKbps = 3750
	}
	if c.JoinConcurrency <= 0 {
		c.JoinConcurrency = 4
	}
	if c.JoinTimeout <= 0 {
		c.JoinTimeout = 15 * time.Second
	}
	if c.LossLimit <= 0 {
		c.LossLimit = 0.01
	}
	if c.DelayLimit <= 0 {
		c.DelayLimit = 50 * time.Millisecond
	}
	if c.Lesson == "" {
		c.Lesson = "bench-" + time.Now().UTC().Format("20060102-150405")
	}
	if c.Chatters < 0 || (!c.Ramp && c.Chatters > c.Subscribers) {
		return c, fmt.Errorf("%w: %d chatters among %d students", ErrConfig, c.Chatters, c.Subscribers)
	}
	if c.URL != "" && c.Signer == nil {
		return c, fmt.Errorf("%w: a server URL needs its secret to mint tokens", ErrConfig)
	}
	if c.URL == "" && c.ServerPID != 0 {
		return c, fmt.Errorf("%w: a server pid only makes sense with a server URL", ErrConfig)
	}
	if c.MediaDir == "" {
		d, err := FindMediaDir()
		if err != nil {
			return c, err
		}
		c.MediaDir = d
	}
	switch c.Layers {
	case 0:
		c.Layers = 1
		if simulcastAvailable(c.MediaDir) {
			c.Layers = 3
		}
	case 1:
	case 3:
		if !simulcastAvailable(c.MediaDir) {
			return c, fmt.Errorf("%w: 3 layers need sim_q.ivf, sim_h.ivf, sim_f.ivf in %s and a simulcast publisher", ErrConfig, c.MediaDir)
		}
	default:
		return c, fmt.Errorf("%w: layers must be 1 or 3", ErrConfig)
	}
	if c.Video != "" && c.Layers != 1 {
		return c, fmt.Errorf("%w: a video clip is for one layer (--layers 1)", ErrConfig)
	}
	if c.Video == "" {
		c.Video = "teacher.ivf"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ServerLogger == nil {
		c.ServerLogger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// FindMediaDir looks for testdata/media in the working directory and its
// parents.
func FindMediaDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		d := filepath.Join(dir, "testdata", "media")
		if _, err := os.Stat(filepath.Join(d, "teacher.ivf")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: testdata/media not found from the working directory; give the media directory", ErrConfig)
		}
		dir = parent
	}
}
