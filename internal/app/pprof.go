package app

import (
	"net/http"
	"net/http/pprof"
)

// RegisterPprof mounts Go's profiler at /debug/pprof/ on mux. It exposes
// goroutine stacks and memory contents, so `lectern serve` mounts it only
// when asked to (--pprof), and it belongs on a listener that only the
// operator can reach. Example, while `lectern bench` runs:
//
//	go tool pprof -seconds 20 http://127.0.0.1:6060/debug/pprof/profile
func RegisterPprof(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}
