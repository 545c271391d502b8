package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern/lectern/store/storetest"
)

// BenchmarkTusUpload uploads one file per op through tus over loopback
// (LECTERN_BENCH_UPLOAD_MB MiB, default 256), from the POST to the
// material in the content store, and reports the throughput (MB/s) and
// the largest growth of the process's heap in use seen during the
// uploads: the server streams (the tus store and the blob store copy
// through small buffers), so it stays flat however large the file.
func BenchmarkTusUpload(b *testing.B) {
	mb := 256
	if v, err := strconv.Atoi(os.Getenv("LECTERN_BENCH_UPLOAD_MB")); err == nil && v > 0 {
		mb = v
	}
	size := int64(mb) << 20
	h := newMatHarness(b, storetest.SQLite(b))
	teacher := h.teacher("teacher@example.org")
	courseID := teacher.createCourse(b, "Course")
	teacher.http.Timeout = 10 * time.Minute // a 1 GiB PATCH takes longer than the harness's 30 s
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	b.SetBytes(size)
	b.ResetTimer()
	for i := range b.N {
		loc, r := teacher.tusCreate(b, size, map[string]string{"course_id": courseID, "filename": "f" + strconv.Itoa(i) + ".txt"})
		if r.status != http.StatusCreated {
			b.Fatalf("create: %d %s", r.status, r.body)
		}
		// Each op's bytes differ (a different pattern length), so none is
		// a duplicate.
		resp, body, err := teacher.tusPatch(b, loc, 0, &patternReader{left: size, salt: i})
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("upload: %v %s", err, body)
		}
		var u uploaded
		if err := json.Unmarshal(body, &u); err != nil || u.Duplicate {
			b.Fatalf("upload: %s", body)
		}
		b.StopTimer()
		if err := h.svc.Delete(b.Context(), u.Material.ID); err != nil { // keep the disk use to one file
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	close(stop)
	<-done
	b.ReportMetric(float64(int64(peak.Load())-int64(base.HeapInuse))/(1<<20), "peak-heap-growth-MiB")
}
