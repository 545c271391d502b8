package bench

import (
	"errors"
	"fmt"
	"math"
)

// Check reports what is missing or impossible in a report: every figure
// must be present and within its possible range. It never judges speed.
func (r *Report) Check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.Tool == "" || r.Version != ReportVersion {
		bad("tool %q version %d", r.Tool, r.Version)
	}
	if r.StartedAt.IsZero() || r.FinishedAt.Before(r.StartedAt) {
		bad("times: started %v finished %v", r.StartedAt, r.FinishedAt)
	}
	m := r.Machine
	if m.Model == "" || m.Cores < 1 || m.UsableCores < 1 || m.GoVersion == "" || m.OS == "" || m.Arch == "" {
		bad("machine incomplete: %+v", m)
	}
	p := r.Params
	if (p.Mode != "fixed" && p.Mode != "ramp") || p.Target == "" || p.Sampled == "" || p.Lesson == "" ||
		p.DurationS <= 0 || (p.Layers != 1 && p.Layers != 3) || len(p.Media) == 0 || p.LossLimit <= 0 || p.DelayLimitMs <= 0 {
		bad("params incomplete: %+v", p)
	}
	if len(r.Teacher.Layers) != p.Layers {
		bad("teacher has %d layers, params say %d", len(r.Teacher.Layers), p.Layers)
	}
	checkServer := func(where string, s Server) {
		if s.WindowS <= 0 || s.CPUSeconds < 0 || s.CPUPercent < 0 || s.RSSMB <= 0 || s.PeakRSSMB < s.RSSMB || s.Threads < 1 {
			bad("%s server figures: %+v", where, s)
		}
	}
	checkServer("baseline", r.Baseline)
	if len(r.Steps) == 0 {
		bad("no steps")
	}
	for i, s := range r.Steps {
		where := fmt.Sprintf("step %d (%d students)", i, s.Subscribers)
		checkServer(where, s.Server)
		if s.Subscribers < 1 || s.Receiving < 0 || s.Receiving > s.Subscribers || s.WindowS <= 0 {
			bad("%s: sizes %+v", where, s)
		}
		l := s.Loss
		if !ratio(l.Ratio) || !ratio(l.Video) || !ratio(l.Audio) || l.VideoLost > l.VideoExpected || l.AudioLost > l.AudioExpected {
			bad("%s: loss %+v", where, l)
		}
		if s.Receiving > 0 && (l.VideoExpected == 0 || l.AudioExpected == 0) {
			bad("%s: students received video but no packets were counted: %+v", where, l)
		}
		if s.Bitrate.MinKbps < 0 || s.Bitrate.MinKbps > s.Bitrate.MeanKbps+0.1 || s.Bitrate.MeanKbps > s.Bitrate.MaxKbps+0.1 {
			bad("%s: bitrate %+v", where, s.Bitrate)
		}
		if s.Receiving > 0 && (s.Bitrate.MeanKbps <= 0 || s.FPS <= 0 || s.PacketsPerSec <= 0) {
			bad("%s: receiving but no rate: %+v fps %v pps %v", where, s.Bitrate, s.FPS, s.PacketsPerSec)
		}
		total := 0
		for _, n := range s.Layers {
			total += n
		}
		if total != s.Subscribers {
			bad("%s: layers %v do not add up to %d", where, s.Layers, s.Subscribers)
		}
		if s.Receiving > 0 && s.Delay.Samples == 0 {
			bad("%s: no delay samples", where)
		}
		checkLatency(bad, where+" delay", s.Delay)
		checkLatency(bad, where+" join", s.Join.Latency)
		checkLatency(bad, where+" chat", s.Chat.Latency)
		if s.Join.Failed < 0 || int(s.Join.Samples)+s.Join.Failed > s.Subscribers {
			bad("%s: join %+v", where, s.Join)
		}
		if s.Chat.Delivered > s.Chat.Expected || s.Chat.Chatters > s.Subscribers {
			bad("%s: chat %+v", where, s.Chat)
		}
		if s.Held != (len(s.Reasons) == 0) {
			bad("%s: held %v with reasons %v", where, s.Held, s.Reasons)
		}
		for _, x := range []float64{s.PacketsPerSec, s.PacketsPerCoreSecond, s.CPUPerSubscriberPct, s.RSSPerSubscriberKB} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				bad("%s: a derived figure is %v", where, x)
			}
		}
	}
	if p.Mode == "ramp" {
		if r.Capacity == nil {
			bad("ramp without capacity")
		} else if r.Capacity.Subscribers < 0 || r.Capacity.Subscribers > p.Max || r.Capacity.Reason == "" {
			bad("capacity %+v", *r.Capacity)
		}
	} else if r.Capacity != nil {
		bad("fixed run with a capacity")
	}
	return errors.Join(errs...)
}

func ratio(x float64) bool { return x >= 0 && x <= 1 }

func checkLatency(bad func(string, ...any), where string, l Latency) {
	if l.Samples == 0 {
		if l != (Latency{}) {
			bad("%s: figures without samples: %+v", where, l)
		}
		return
	}
	if l.P50Ms < 0 || l.P50Ms > l.P90Ms || l.P90Ms > l.P99Ms || l.MeanMs < 0 || l.MaxMs <= 0 {
		bad("%s: %+v", where, l)
	}
}
