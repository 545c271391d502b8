package api

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

var errNoDownload = &Error{Status: http.StatusForbidden, Code: "download_not_allowed",
	Message: "the teacher does not allow downloading this material; it can only be viewed"}

type linkResponse struct {
	URL       string    `json:"url"`
	HLSURL    string    `json:"hls_url,omitempty"` // a processed video's master playlist
	ExpiresAt time.Time `json:"expires_at"`
}

// link signs a short-lived URL of a material for the caller, after the
// same checks the file endpoint repeats when the URL is used.
func (m *Materials) link(w http.ResponseWriter, r *http.Request, c *caller) error {
	mat, course, err := m.material(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	via := r.URL.Query().Get("lesson")
	if err := m.mayUse(r.Context(), c.account, course, mat, via); err != nil {
		return err
	}
	download := r.URL.Query().Get("download") == "1"
	if download && !mat.Downloadable && !mayEdit(c.account, course) {
		return errNoDownload
	}
	exp := m.s.now().Add(m.ttl).Truncate(time.Second)
	q := m.signer.Query(content.Grant{MaterialID: mat.ID, AccountID: c.account.ID, Lesson: via, Download: download, Expires: exp})
	resp := linkResponse{URL: fileURL(mat.ID, q), ExpiresAt: exp.UTC()}
	if mat.Kind == content.KindVideo && !download {
		resp.HLSURL = m.hlsURL(mat.ID, q.Encode())
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// file serves a material's bytes to the holder of a valid signed URL whom
// the access checks still let in (a refund or removal takes effect at
// once, within a link's lifetime too). It needs no cookie, so <video>,
// pdf.js and a CDN can fetch it; ranges, ETag and conditional requests
// come from http.ServeContent.
func (m *Materials) file(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	err := func() error {
		id := r.PathValue("id")
		g, err := m.signer.Verify(id, r.URL.Query(), m.s.now())
		if err != nil {
			return contentError(err)
		}
		mat, course, err := m.material(ctx, id)
		if err != nil {
			return err
		}
		acc, err := m.s.store.Account(ctx, g.AccountID)
		if errors.Is(err, classroom.ErrNotFound) {
			return &Error{Status: http.StatusForbidden, Code: "bad_link", Message: "the link's account no longer exists"}
		}
		if err != nil {
			return err
		}
		if err := m.mayUse(ctx, acc, course, mat, g.Lesson); err != nil {
			return err
		}
		if g.Download && !mat.Downloadable && !mayEdit(acc, course) {
			return errNoDownload
		}
		f, err := m.svc.Open(ctx, mat)
		if err != nil {
			return contentError(err)
		}
		defer f.Close()
		h := w.Header()
		disp := "inline"
		if g.Download {
			disp = "attachment"
		}
		h.Set("Content-Type", mat.MediaType)
		h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": mat.Name}))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		// The URL is the credential: caches may keep the response only
		// until the link expires, and only privately (a CDN in front must
		// check the signature itself to share it). The bytes never change
		// under an address, so the ETag is their hash.
		left := max(0, int(g.Expires.Sub(m.s.now()).Seconds()))
		h.Set("Cache-Control", "private, max-age="+strconv.Itoa(left))
		h.Set("ETag", `"`+mat.SHA256+`"`)
		http.ServeContent(w, r, "", mat.CreatedAt, f)
		return nil
	}()
	if err != nil {
		m.s.finish(w, r, err)
	}
}

// fileURL is the path of a material's file endpoint with q.
func fileURL(id string, q url.Values) string {
	return "/api/v1/materials/" + id + "/file?" + q.Encode()
}
