package recorder

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Cache lifetimes: names of segments, parts and init sections never repeat
// (the muxer prefixes them with a random id per session).
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheLive      = "public, max-age=1"
	cacheVOD       = "public, max-age=10"
)

// RecordingScope is what a grant to one recording names.
func RecordingScope(lessonID, id string) string { return lessonID + "/" + id }

// Handler serves live HLS at /hls/{lesson}/{file} and recordings at
// /hls/{lesson}/rec/{recording}/{file}, each request authorised by auth.
func (r *Recorder) Handler(auth Authorizer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hls/{lesson}/{file}", func(w http.ResponseWriter, req *http.Request) {
		lesson, file := req.PathValue("lesson"), req.PathValue("file")
		if !validLesson(lesson) || !safeName(file) {
			http.NotFound(w, req)
			return
		}
		s := r.session(lesson)
		if s == nil {
			http.NotFound(w, req)
			return
		}
		if !authorized(w, req, auth, lesson) {
			return
		}
		m := s.muxer.Load()
		if m == nil || !s.ready.Load() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "the lesson's stream has not started yet", http.StatusServiceUnavailable)
			return
		}
		cw := &cacheWriter{ResponseWriter: w, cache: cacheFor(file, cacheLive)}
		m.Handle(cw, req)
		if !cw.wrote {
			http.NotFound(w, req)
		}
	})
	mux.HandleFunc("GET /hls/{lesson}/rec/{id}/{file}", func(w http.ResponseWriter, req *http.Request) {
		lesson, id, file := req.PathValue("lesson"), req.PathValue("id"), req.PathValue("file")
		if !safeName(file) || strings.HasPrefix(file, legacyInfoFile) || file == mp4File {
			http.NotFound(w, req)
			return
		}
		dir, err := r.recordingDir(lesson, id)
		if err != nil {
			http.NotFound(w, req)
			return
		}
		// A recording's grant names the recording: a grant to the live
		// stream (or a join token) does not open the replays.
		if !authorized(w, req, auth, RecordingScope(lesson, id)) {
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, file))
		if errors.Is(err, os.ErrNotExist) {
			http.NotFound(w, req)
			return
		} else if err != nil {
			http.Error(w, "recording unreadable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Cache-Control", cacheFor(file, cacheVOD))
		if strings.HasSuffix(file, ".m3u8") {
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			b = withQuery(b, req.URL.RawQuery)
		} else {
			w.Header().Set("Content-Type", "video/mp4")
		}
		http.ServeContent(w, req, file, modTime(dir, file), bytes.NewReader(b))
	})
	return mux
}

func authorized(w http.ResponseWriter, req *http.Request, auth Authorizer, lesson string) bool {
	if auth == nil {
		http.Error(w, "forbidden", http.StatusForbidden)
		return false
	}
	if err := auth.AuthorizeHLS(req, lesson); err != nil {
		if errors.Is(err, ErrNotFound) {
			http.NotFound(w, req)
		} else {
			http.Error(w, "a valid, unexpired access grant is needed", http.StatusForbidden)
		}
		return false
	}
	return true
}

func cacheFor(file, playlist string) string {
	if strings.HasSuffix(file, ".m3u8") {
		return playlist
	}
	return cacheImmutable
}

// withQuery appends the request's query (its access grant) to every URI a
// recording's playlist names.
func withQuery(b []byte, rawQuery string) []byte {
	if rawQuery == "" {
		return b
	}
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		switch {
		case l == "":
		case !strings.HasPrefix(l, "#"):
			lines[i] = l + "?" + rawQuery
		case strings.Contains(l, `URI="`):
			start := strings.Index(l, `URI="`) + 5
			if end := strings.Index(l[start:], `"`); end >= 0 {
				lines[i] = l[:start+end] + "?" + rawQuery + l[start+end:]
			}
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// cacheWriter sets Cache-Control as the response starts and records
// whether the muxer answered at all (it writes nothing for unknown files).
type cacheWriter struct {
	http.ResponseWriter
	cache string
	wrote bool
}

func (w *cacheWriter) WriteHeader(code int) {
	w.wrote = true
	if code == http.StatusOK {
		w.Header().Set("Cache-Control", w.cache)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *cacheWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}
