package recorder

import "sync/atomic"

// Stats are the recorder's figures for /metrics.
type Stats struct {
	Active   int    // recordings being written
	Bytes    uint64 // bytes of segments and init sections written to recordings
	Segments uint64 // segments written to recordings
	Failures uint64 // recordings that could not start or stopped early (disk full, write errors)
}

// counters are the recorder's running figures.
type counters struct {
	active   atomic.Int64
	bytes    atomic.Uint64
	segments atomic.Uint64
	failures atomic.Uint64
}

// Stats returns the figures so far.
func (r *Recorder) Stats() Stats {
	return Stats{Active: int(r.stats.active.Load()), Bytes: r.stats.bytes.Load(), Segments: r.stats.segments.Load(),
		Failures: r.stats.failures.Load()}
}
