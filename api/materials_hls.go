package api

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// hlsName is what a file of a material's HLS output may be called:
// master.m3u8, or <rendition>/index.m3u8 and <rendition>/segNNNN.ts.
var hlsName = regexp.MustCompile(`^(master\.m3u8|[0-9]{3,4}p/(index\.m3u8|seg[0-9]{4}\.ts))$`)

// hlsURL is the HLS master playlist's URL for a signed query, or "" when
// the material has no HLS output.
func (m *Materials) hlsURL(id, query string) string {
	if m.hlsDir == "" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(m.hlsDir, id, "master.m3u8")); err != nil {
		return ""
	}
	return "/api/v1/materials/" + id + "/hls/master.m3u8?" + query
}

// hls serves a video's HLS renditions under the same signed query as its
// file: playlists are rewritten so that every URI in them carries it.
func (m *Materials) hls(w http.ResponseWriter, r *http.Request) {
	err := func() error {
		name := r.PathValue("file")
		if m.hlsDir == "" || !hlsName.MatchString(name) {
			return errNotFound
		}
		id := r.PathValue("id")
		g, err := m.signer.Verify(id, r.URL.Query(), m.s.now())
		if err != nil {
			return contentError(err)
		}
		mat, course, err := m.material(r.Context(), id)
		if err != nil {
			return err
		}
		acc, err := m.s.store.Account(r.Context(), g.AccountID)
		if err != nil {
			return &Error{Status: http.StatusForbidden, Code: "bad_link", Message: "the link's account no longer exists"}
		}
		if err := m.mayUse(r.Context(), acc, course, mat, g.Lesson); err != nil {
			return err
		}
		path := filepath.Join(m.hlsDir, mat.ID, filepath.FromSlash(name))
		f, err := os.Open(path)
		if err != nil {
			return errNotFound
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		h := w.Header()
		left := max(0, int(g.Expires.Sub(m.s.now()).Seconds()))
		h.Set("Cache-Control", "private, max-age="+strconv.Itoa(left))
		h.Set("X-Content-Type-Options", "nosniff")
		if strings.HasSuffix(name, ".ts") {
			h.Set("Content-Type", "video/mp2t")
			http.ServeContent(w, r, "", st.ModTime(), f)
			return nil
		}
		var out bytes.Buffer
		sc := bufio.NewScanner(f)
		q := r.URL.RawQuery
		for sc.Scan() {
			line := sc.Text()
			if line != "" && !strings.HasPrefix(line, "#") {
				line += "?" + q
			}
			out.WriteString(line + "\n")
		}
		if err := sc.Err(); err != nil {
			return err
		}
		h.Set("Content-Type", "application/vnd.apple.mpegurl")
		_, err = w.Write(out.Bytes())
		return err
	}()
	if err != nil {
		m.s.finish(w, r, err)
	}
}
