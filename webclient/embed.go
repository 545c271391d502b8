package webclient

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var files embed.FS

// ContentSecurityPolicy is sent with every response of Handler, with
// connect-src completed per request by ContentSecurityPolicyFor.
// Everything the client needs comes from this origin; media and WebSocket
// connections go back to it and nowhere else.
const ContentSecurityPolicy = "default-src 'self'; " +
	"connect-src 'self'; " +
	"img-src 'self' data: blob:; " +
	"media-src 'self' blob:; " +
	"style-src 'self'; " +
	"script-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// serverPrefixes are paths the client never answers for: they belong to the
// API, signalling, WHIP/WHEP and health checks. A request for one that
// reaches this handler is a 404, not the application shell.
var serverPrefixes = []string{"/api/", "/rtc", "/whip", "/whep", "/healthz", "/hls/"}

// contentTypes are set explicitly so the answer does not depend on the
// host's mime.types.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".webp": "image/webp",
	".txt":  "text/plain; charset=utf-8",
}

type asset struct {
	body  []byte
	ctype string
	etag  string
}

type handler struct {
	assets map[string]*asset // by URL path; read-only after Handler returns
	index  *asset
	// nodes, if set, lists the hosts of the other nodes of a cluster,
	// whose WebSockets pages may open (WithNodes).
	nodes func() []string
}

// WithNodes lets pages open the WebSocket of the hosts nodes returns (the
// nodes of a cluster that serve lessons: docs/architecture.md "Many
// nodes") besides their own server's; h must come from Handler.
func WithNodes(h http.Handler, nodes func() []string) http.Handler {
	hh := *h.(*handler)
	hh.nodes = nodes
	return &hh
}

// Handler serves the embedded client. Files are served with their content
// type, an ETag and `Cache-Control: no-cache` (revalidate every time, so a
// new binary is picked up at once; unchanged files cost a 304). Any other
// GET outside the server's own prefixes serves index.html, which routes in
// the browser (for example /lesson/{id}).
func Handler() http.Handler {
	h := &handler{assets: make(map[string]*asset)}
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ctype, ok := contentTypes[path.Ext(p)]
		if !ok {
			ctype = http.DetectContentType(body)
		}
		h.assets["/"+p] = &asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		panic(err)
	}
	h.index = h.assets["/index.html"]
	if h.index == nil {
		panic("webclient: static/index.html missing")
	}
	return h
}

// ContentSecurityPolicyFor is ContentSecurityPolicy for a request to host:
// connect-src allows this server's own WebSocket origins (wss:// and
// ws:// of the same host; a page served over https cannot use ws:// anyway)
// besides 'self', for browsers whose 'self' does not cover WebSockets yet,
// and those of others (the other nodes of a cluster, WithNodes). A host
// that is not a plain host[:port] adds nothing.
func ContentSecurityPolicyFor(host string, others ...string) string {
	var extra strings.Builder
	for i, h := range append([]string{host}, others...) {
		if validHost(h) && (i == 0 || h != host) {
			extra.WriteString(" wss://" + h + " ws://" + h)
		}
	}
	return strings.Replace(ContentSecurityPolicy, "connect-src 'self';", "connect-src 'self'"+extra.String()+";", 1)
}

func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.ContainsRune(".-:[]", c):
		default:
			return false
		}
	}
	return true
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	var others []string
	if h.nodes != nil {
		others = h.nodes()
	}
	hdr.Set("Content-Security-Policy", ContentSecurityPolicyFor(r.Host, others...))
	hdr.Set("X-Content-Type-Options", "nosniff")
	// Join tokens travel in lesson URLs: never leak them to other origins.
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)")

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	a := h.assets[p]
	if a == nil || p == "/index.html" {
		if isServerPath(p) {
			http.NotFound(w, r)
			return
		}
		a = h.index
	}
	hdr.Set("Content-Type", a.ctype)
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

func isServerPath(p string) bool {
	for _, pre := range serverPrefixes {
		base := strings.TrimSuffix(pre, "/")
		if p == base || strings.HasPrefix(p, base+"/") {
			return true
		}
	}
	return false
}
