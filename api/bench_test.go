package api_test

import (
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store/storetest"
)

// BenchmarkSignIn measures POST /api/v1/sessions over loopback HTTP with
// the production argon2id parameters (classroom.DefaultArgon2), one at a
// time, and reports the median and 99th percentile latency.
//
//	go test ./api -run '^$' -bench SignIn -benchtime 100x
func BenchmarkSignIn(b *testing.B) {
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			h := newHarness(b, be.Open(b), func(cfg *api.Config) {
				cfg.Argon2 = classroom.DefaultArgon2()
			})
			h.register("bench@example.org", "Bench")
			body := map[string]string{"email": "bench@example.org", "password": goodPassword}
			c := h.client()
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				r := c.do("POST", "/api/v1/sessions", body)
				times = append(times, time.Since(start))
				if r.status != http.StatusOK {
					b.Fatalf("sign-in: %d %s", r.status, r.body)
				}
			}
			b.StopTimer()
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2])/1e6, "p50-ms")
			b.ReportMetric(float64(times[len(times)*99/100])/1e6, "p99-ms")
		})
	}
}

// BenchmarkGetCourse measures an authenticated GET /api/v1/courses/{id}
// by an enrolled student (session lookup, course with assistants, relation)
// over loopback HTTP with keep-alive, from parallel clients, and reports
// requests per second.
//
//	go test ./api -run '^$' -bench GetCourse -benchtime 5s
func BenchmarkGetCourse(b *testing.B) {
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			h := newHarness(b, be.Open(b))
			tch := h.register("tch@example.org", "Teacher")
			h.grant(tch, classroom.RoleTeacher)
			asst := h.register("asst@example.org", "Assistant")
			c := tch.course("Benchmarked", asst.id)
			stu := h.register("stu@example.org", "Student")
			want(b, stu.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusCreated)
			stu.http.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
			url := h.srv.URL + "/api/v1/courses/" + c.ID
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := stu.http.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					drain(resp)
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
