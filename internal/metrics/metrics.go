package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lectern/lectern/recorder"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/store"
)

// Sources are the read-only accessors scraped. Any may be nil.
type Sources struct {
	SFU func() sfu.Stats
	// ParticipantsByRole counts joined participants by role.
	ParticipantsByRole func() map[string]int
	// Messages counts signalling messages received by type.
	Messages func() map[string]uint64
	Pool     func() store.PoolStats
	// Billing counts orders and refunds by status.
	Billing func(ctx context.Context) (orders, refunds map[string]int64, err error)
	// TURNAllocations is the embedded TURN server's live allocations.
	TURNAllocations func() int
	// Recorder is the recorder's figures.
	Recorder func() recorder.Stats
}

// Registry holds Lectern's metrics.
type Registry struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// New registers the collectors of src and of the Go runtime.
func New(src Sources) *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lectern_http_requests_total",
		Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"})
	r.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "lectern_http_request_duration_seconds",
		Help: "HTTP request latency by route (WebSocket routes: the whole connection).", Buckets: prometheus.DefBuckets}, []string{"route"})
	r.reg.MustRegister(r.requests, r.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&collector{src: src})
	return r
}

// Handler serves the metrics in Prometheus' text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{})
}

// Middleware counts every request by its mux route (the pattern, never
// the raw path, so the label set stays bounded), method and status, and
// writes an access-log line to log (nil: none). Query strings are never
// logged: join tokens travel in them.
func (r *Registry) Middleware(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			route := req.Pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			r.requests.WithLabelValues(route, req.Method, strconv.Itoa(sw.status)).Inc()
			r.latency.WithLabelValues(route).Observe(d.Seconds())
			if log != nil {
				log.Info("http", "method", req.Method, "path", req.URL.Path, "route", route, "status", sw.status,
					"bytes", sw.bytes, "duration_ms", d.Milliseconds(), "remote", req.RemoteAddr)
			}
		}()
		next.ServeHTTP(sw, req)
	})
}

// statusWriter records the status a handler wrote; Unwrap lets
// http.ResponseController (WebSocket hijack, flush) reach the original.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush keeps streaming responses streaming.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
