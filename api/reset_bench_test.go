package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/lectern/lectern/store/storetest"
)

// BenchmarkResetRequest measures POST /api/v1/password-resets over
// loopback HTTP for an address with an account and for one without,
// alternating, and reports each one's median latency: the two should not
// differ, since the account work happens in the reset worker.
//
//	go test ./api -run '^$' -bench ResetRequest -benchtime 200x
func BenchmarkResetRequest(b *testing.B) {
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			h := newHarness(b, be.Open(b))
			h.register("known@example.org", "Known")
			c := h.client()
			known := make([]time.Duration, 0, b.N)
			unknown := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				addr, into := "known@example.org", &known
				if i%2 == 1 {
					addr, into = "unknown@example.org", &unknown
				}
				start := time.Now()
				r := c.do("POST", "/api/v1/password-resets", map[string]string{"email": addr})
				*into = append(*into, time.Since(start))
				if r.status != http.StatusAccepted {
					b.Fatalf("reset request: %d %s", r.status, r.body)
				}
			}
			b.StopTimer()
			for name, ts := range map[string][]time.Duration{"known": known, "unknown": unknown} {
				if len(ts) == 0 {
					continue
				}
				slices.Sort(ts)
				b.ReportMetric(float64(ts[len(ts)/2])/1e3, name+"-p50-µs")
			}
		})
	}
}
