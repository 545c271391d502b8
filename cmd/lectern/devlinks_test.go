package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/lectern/lectern/token"
)

// TestDevLinksAskForH264: with --publish-h264 (the default) the demo
// teacher's link asks the page to publish H.264, so the demo lesson is
// recorded; the student's link, which does not publish, does not; with
// --publish-h264=false neither does. Both carry a valid token.
func TestDevLinksAskForH264(t *testing.T) {
	signer, err := token.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	for _, h264 := range []bool{true, false} {
		teacher, student, err := devLinks(signer, "http://localhost:8080", h264)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			link string
			role token.Role
			want string
		}{{teacher, token.RoleTeacher, map[bool]string{true: "1", false: ""}[h264]}, {student, token.RoleStudent, ""}} {
			u, err := url.Parse(tc.link)
			if err != nil || u.Path != "/lesson/demo" {
				t.Fatalf("link %q: %v", tc.link, err)
			}
			if got := u.Query().Get("h264"); got != tc.want {
				t.Errorf("--publish-h264=%v: %s link has h264=%q, want %q", h264, tc.role, got, tc.want)
			}
			c, err := signer.Verify(u.Query().Get("token"))
			if err != nil || c.Role != tc.role || c.Lesson != "demo" {
				t.Errorf("%s link's token: %+v %v", tc.role, c, err)
			}
		}
	}
}
