package bench

import (
	"sync/atomic"
	"time"
)

// hist is a lock-free latency histogram: 10 µs buckets up to 10 ms, 1 ms
// buckets up to 2 s, and one overflow bucket.
type hist struct {
	fine   [1000]atomic.Uint64 // [i*10µs, (i+1)*10µs)
	coarse [1990]atomic.Uint64 // [10ms + i*1ms, ...)
	over   atomic.Uint64
	count  atomic.Uint64
	sum    atomic.Int64 // nanoseconds
	max    atomic.Int64
}

func (h *hist) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	switch {
	case d < 10*time.Millisecond:
		h.fine[d/(10*time.Microsecond)].Add(1)
	case d < 2*time.Second:
		h.coarse[(d-10*time.Millisecond)/time.Millisecond].Add(1)
	default:
		h.over.Add(1)
	}
	h.count.Add(1)
	h.sum.Add(int64(d))
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			break
		}
	}
}

// quantile returns the upper edge of the bucket holding quantile q, or
// the maximum if that is less.
func (h *hist) quantile(q float64) time.Duration {
	return min(h.bucketEdge(q), time.Duration(h.max.Load()))
}

func (h *hist) bucketEdge(q float64) time.Duration {
	n := h.count.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i := range h.fine {
		if seen += h.fine[i].Load(); seen >= rank {
			return time.Duration(i+1) * 10 * time.Microsecond
		}
	}
	for i := range h.coarse {
		if seen += h.coarse[i].Load(); seen >= rank {
			return 10*time.Millisecond + time.Duration(i+1)*time.Millisecond
		}
	}
	return time.Duration(h.max.Load())
}

// Latency summarises a histogram, in milliseconds.
type Latency struct {
	Samples uint64  `json:"samples"`
	MeanMs  float64 `json:"mean_ms"`
	P50Ms   float64 `json:"p50_ms"`
	P90Ms   float64 `json:"p90_ms"`
	P99Ms   float64 `json:"p99_ms"`
	MaxMs   float64 `json:"max_ms"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (h *hist) summary() Latency {
	n := h.count.Load()
	l := Latency{Samples: n}
	if n == 0 {
		return l
	}
	l.MeanMs = ms(time.Duration(h.sum.Load() / int64(n)))
	l.P50Ms = ms(h.quantile(0.50))
	l.P90Ms = ms(h.quantile(0.90))
	l.P99Ms = ms(h.quantile(0.99))
	l.MaxMs = ms(time.Duration(h.max.Load()))
	return l
}
