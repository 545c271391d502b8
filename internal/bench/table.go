package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the report for people: the machine and parameters,
// then one row per step.
func (r *Report) WriteTable(w io.Writer) error {
	p := r.Params
	var b strings.Builder
	fmt.Fprintf(&b, "lectern bench — %s, %s\n", r.StartedAt.Format("2006-01-02 15:04 MST"), p.Mode)
	fmt.Fprintf(&b, "machine: %s, %d cores (%d usable), %d MB, Linux %s, %s, load average %.2f at the start\n", r.Machine.Model,
		r.Machine.Cores, r.Machine.UsableCores, r.Machine.MemTotalMB, r.Machine.Kernel, r.Machine.GoVersion, r.Machine.LoadAvg[0])
	fmt.Fprintf(&b, "server: %s; CPU and memory are of %s\n", p.Target, p.Sampled)
	fmt.Fprintf(&b, "teacher: %d video layer(s) %v + Opus from %s; window %.0f s per step; limits: loss %.1f %%, p99 delay %.0f ms\n",
		p.Layers, layerList(r.Teacher.Layers), strings.Join(p.Media, ", "), p.DurationS, 100*p.LossLimit, p.DelayLimitMs)
	fmt.Fprintf(&b, "baseline (teacher only): CPU %.1f %% of a core, RSS %.1f MB\n\n", r.Baseline.CPUPercent, r.Baseline.RSSMB)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "students\tload\trecv\tloss %\tdelay p50\tp99 ms\tjoin p50\tp99 ms\tkbps\tfps\tlayers\tCPU %\tCPU/stu %\tRSS MB\tRSS/stu KB\tpkt/s\tpkt/CPU-s\tchat p99 ms\theld\t")
	for _, s := range r.Steps {
		chat := "-"
		if s.Chat.Sent > 0 {
			chat = fmt.Sprintf("%.1f (%d/%d)", s.Chat.Latency.P99Ms, s.Chat.Delivered, s.Chat.Expected)
			if len(s.Chat.Rejected) > 0 {
				chat += fmt.Sprintf(" rejected %v", s.Chat.Rejected)
			}
		}
		held := "yes"
		if !s.Held {
			held = "no: " + strings.Join(s.Reasons, "; ")
		}
		fmt.Fprintf(tw, "%d\t%.1f\t%d\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f\t%.1f\t%s\t%.1f\t%.2f\t%.1f\t%.0f\t%.0f\t%.0f\t%s\t%s\t\n",
			s.Subscribers, s.Server.LoadAvg1, s.Receiving, 100*s.Loss.Ratio, s.Delay.P50Ms, s.Delay.P99Ms, s.Join.P50Ms, s.Join.P99Ms,
			s.Bitrate.MeanKbps, s.FPS, layerCounts(s.Layers), s.Server.CPUPercent, s.CPUPerSubscriberPct, s.Server.RSSMB,
			s.RSSPerSubscriberKB, s.PacketsPerSec, s.PacketsPerCoreSecond, chat, held)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if c := r.Capacity; c != nil {
		_, err := fmt.Fprintf(w, "\ncapacity: %d students held (stopped at %d: %s)\n", c.Subscribers, c.StoppedAt, c.Reason)
		return err
	}
	return nil
}

func layerList(ls []Layer) string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.Name
	}
	sort.Strings(names)
	return strings.Join(names, "/")
}

func layerCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s:%d", k, m[k])
	}
	return strings.Join(parts, ",")
}
