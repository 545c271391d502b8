package app

import (
	"net"
	"net/http"

	"github.com/lectern/lectern/internal/metrics"
	"github.com/lectern/lectern/signaling"
)

// wireMetrics registers the Prometheus collectors. /metrics is served on
// the main listener to loopback and private addresses only, unless
// Config.MetricsAddr gives it a listener of its own (cmd/lectern opens it).
func (a *App) wireMetrics() {
	src := metrics.Sources{SFU: a.sfu.Stats, ParticipantsByRole: a.sig.ParticipantsByRole, Messages: signaling.MessageCounts,
		Pool: a.store.PoolStats, Billing: a.store.BillingCounts, Recorder: a.recorder.Stats}
	if a.turn != nil {
		src.TURNAllocations = a.turn.Allocations
	}
	a.metrics = metrics.New(src)
	if a.cfg.MetricsAddr == "" {
		a.mux.Handle("GET /metrics", privateOnly(a.metrics.Handler()))
	}
}

// Metrics returns the metrics registry (its Handler serves /metrics).
func (a *App) Metrics() *metrics.Registry { return a.metrics }

// privateOnly answers only clients on loopback or private networks.
func privateOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		if ip == nil || !(ip.IsLoopback() || ip.IsPrivate()) {
			http.Error(w, `{"code":"forbidden","message":"metrics are served to private networks only; see --metrics-addr"}`, http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
