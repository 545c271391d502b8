package api_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"testing"
)

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAvatar(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		c := h.register("face@example.org", "Face")
		pic := pngBytes(t, 32, 32)
		r := c.do("PUT", "/api/v1/me/avatar", pic, "Content-Type", "image/png")
		want(t, r, http.StatusOK)
		var me struct {
			AvatarURL string `json:"avatar_url"`
		}
		r.decode(t, &me)
		if me.AvatarURL == "" {
			t.Fatalf("no avatar_url: %s", r.body)
		}
		got := h.client().do("GET", me.AvatarURL, nil)
		want(t, got, http.StatusOK)
		if !bytes.Equal(got.body, pic) || got.header.Get("Content-Type") != "image/png" ||
			got.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("avatar served as %v (%d bytes)", got.header, len(got.body))
		}

		tests := []struct {
			name   string
			body   []byte
			ctype  string
			status int
			code   string
		}{
			{"too large", append(pngBytes(t, 8, 8), make([]byte, 1<<20)...), "image/png", 413, "image_too_large"},
			{"html claiming png", []byte("<html><script>alert(1)</script></html>"), "image/png", 415, "unsupported_image"},
			{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "image/svg+xml", 415, "unsupported_image"},
			{"empty", nil, "image/png", 415, "unsupported_image"},
			{"truncated png", pic[:20], "image/png", 415, "unsupported_image"},
			{"too many pixels", pngBytes(t, 5000, 1), "image/png", 422, "invalid_input"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				want(t, c.do("PUT", "/api/v1/me/avatar", tt.body, "Content-Type", tt.ctype), tt.status, tt.code)
			})
		}
		// The good avatar survived the bad uploads.
		if got := h.client().do("GET", me.AvatarURL, nil); !bytes.Equal(got.body, pic) {
			t.Error("a rejected upload replaced the avatar")
		}
		want(t, c.do("DELETE", "/api/v1/me/avatar", nil), http.StatusNoContent)
		want(t, h.client().do("GET", me.AvatarURL, nil), http.StatusNotFound, "not_found")
	})
}
