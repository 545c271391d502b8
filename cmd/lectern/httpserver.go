package main

import (
	"log/slog"
	"net/http"
	"time"
)

// HTTP server limits. A WebSocket is not bound by the read and write
// timeouts: net/http clears the connection's deadlines when it is
// hijacked, and the signalling server keeps its own idle timeout.
const (
	readHeaderTimeout = 10 * time.Second // slowloris: headers must arrive quickly
	readTimeout       = 2 * time.Minute  // a whole request, body included (avatar and cover uploads)
	writeTimeout      = 2 * time.Minute  // a whole response (CSV exports)
	idleTimeout       = 2 * time.Minute  // a keep-alive connection between requests
	maxHeaderBytes    = 64 << 10
)

func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout, WriteTimeout: writeTimeout,
		IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}
