package bench

import (
	"encoding/json"
	"io"
	"time"
)

// ReportVersion is the version of the JSON report's shape.
const ReportVersion = 1

// Report is everything a run measured. Times are RFC 3339; durations are
// in the unit their name says.
type Report struct {
	Tool       string    `json:"tool"`
	Version    int       `json:"version"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Machine    Machine   `json:"machine"`
	Params     Params    `json:"params"`
	Teacher    Teacher   `json:"teacher"`
	// Baseline is the server with the teacher publishing and no student.
	Baseline Server `json:"baseline"`
	// Steps has one entry in a fixed run, one per size in a ramp.
	Steps []Step `json:"steps"`
	// Capacity is set by a ramp.
	Capacity *Capacity `json:"capacity,omitempty"`
}

// Params are the run's parameters.
type Params struct {
	Mode            string   `json:"mode"`   // "fixed" or "ramp"
	Target          string   `json:"target"` // "in-process" or the server's URL
	ServerPID       int      `json:"server_pid,omitempty"`
	Sampled         string   `json:"sampled"` // what the CPU and memory figures cover
	Lesson          string   `json:"lesson"`
	Subscribers     int      `json:"subscribers"` // fixed run
	Step            int      `json:"step"`        // ramp
	Max             int      `json:"max"`         // ramp
	Chatters        int      `json:"chatters"`
	ChatIntervalS   float64  `json:"chat_interval_s"`
	DurationS       float64  `json:"duration_s"`
	BaselineS       float64  `json:"baseline_s"`
	Layers          int      `json:"layers"`
	MediaDir        string   `json:"media_dir"`
	Media           []string `json:"media"`
	PaceKbps        int      `json:"pace_kbps"` // the teacher's pacer; 0: none (--burst)
	DeafTeacher     bool     `json:"deaf_teacher,omitempty"`
	JoinConcurrency int      `json:"join_concurrency"`
	LossLimit       float64  `json:"loss_limit"`
	DelayLimitMs    float64  `json:"delay_limit_ms"`
	Command         string   `json:"command,omitempty"`
}

// Teacher describes what was published.
type Teacher struct {
	Layers []Layer `json:"layers"`
}

// Layer is one published video stream.
type Layer struct {
	Name string `json:"name"` // simulcast RID, or "single"
	SSRC uint32 `json:"ssrc"`
}

// Server is the sampled process over one window.
type Server struct {
	WindowS    float64 `json:"window_s"`
	CPUSeconds float64 `json:"cpu_s"`
	CPUPercent float64 `json:"cpu_pct"` // of one core
	RSSMB      float64 `json:"rss_mb"`  // at the window's end
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	Threads    int     `json:"threads"`
	LoadAvg1   float64 `json:"load_avg_1m"` // the machine's, at the window's end
}

// Step is one measured window with a given number of students.
type Step struct {
	Subscribers int     `json:"subscribers"`
	Receiving   int     `json:"receiving"` // students that received video frames in the window
	WindowS     float64 `json:"window_s"`

	Loss    Loss           `json:"loss"`
	Bitrate Bitrate        `json:"bitrate"`
	FPS     float64        `json:"fps"`    // mean complete video frames per second per student
	Layers  map[string]int `json:"layers"` // students per current layer
	Delay   Latency        `json:"delay"`  // teacher's transport to student's, every packet
	Join    Join           `json:"join"`   // students who joined for this step
	Chat    Chat           `json:"chat"`
	Server  Server         `json:"server"`

	PacketsPerSec        float64 `json:"packets_per_s"`          // received by all students
	PacketsPerCoreSecond float64 `json:"packets_per_core_s"`     // packets forwarded per second of server CPU: packets_per_s / cores busy
	CPUPerSubscriberPct  float64 `json:"cpu_per_subscriber_pct"` // (cpu − baseline) / N, % of a core
	RSSPerSubscriberKB   float64 `json:"rss_per_subscriber_kb"`  // (rss − baseline) / N

	Held    bool     `json:"held"`
	Reasons []string `json:"reasons,omitempty"` // why it did not hold
}

// Loss is the share of packets that never arrived (after retransmission).
type Loss struct {
	Ratio         float64 `json:"ratio"` // video and audio together
	Video         float64 `json:"video"`
	Audio         float64 `json:"audio"`
	VideoExpected uint64  `json:"video_expected"`
	VideoLost     uint64  `json:"video_lost"`
	AudioExpected uint64  `json:"audio_expected"`
	AudioLost     uint64  `json:"audio_lost"`
}

// Bitrate is what students received, video and audio, headers included.
type Bitrate struct {
	MeanKbps float64 `json:"mean_kbps"`
	MinKbps  float64 `json:"min_kbps"`
	MaxKbps  float64 `json:"max_kbps"`
}

// Join is the time from opening the WebSocket to the first complete video
// frame.
type Join struct {
	Latency
	Failed int `json:"failed"`
}

// Chat is the fan-out of chat messages to every student.
type Chat struct {
	Chatters  int            `json:"chatters"`
	Sent      uint64         `json:"sent"`
	Rejected  map[string]int `json:"rejected,omitempty"` // by error code
	Expected  uint64         `json:"expected"`           // deliveries: accepted messages × students
	Delivered uint64         `json:"delivered"`
	Latency   Latency        `json:"latency"`
}

// Capacity is a ramp's result.
type Capacity struct {
	Subscribers int    `json:"subscribers"` // the last size that held; 0 if none did
	StoppedAt   int    `json:"stopped_at"`  // the size that did not hold, or Max
	Reason      string `json:"reason"`
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
