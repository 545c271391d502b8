package recorder_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/recorder"
)

// TestGrantRecheck: a grant that names its account is checked again with
// the access policy on every playlist request (so a refund ends HLS
// playback at the next reload), not on segments; a grant whose account
// was changed, or that names another scope, is refused.
func TestGrantRecheck(t *testing.T) {
	g := recorder.NewGrants([]byte("secret"))
	allowed := true
	var asked []string
	auth := recorder.GrantAuthorizer{Grants: g, Recheck: func(_ *http.Request, scope, subject string) error {
		asked = append(asked, scope+" "+subject)
		if !allowed {
			return errors.New("access ended")
		}
		return nil
	}}
	grant := g.IssueFor("lesson-1", "acc-1", time.Minute)
	req := func(file, grant string) *http.Request {
		return httptest.NewRequest("GET", "/hls/lesson-1/"+file+"?access="+grant, nil)
	}
	if err := auth.AuthorizeHLS(req("index.m3u8", grant), "lesson-1"); err != nil {
		t.Fatalf("allowed account refused: %v", err)
	}
	if len(asked) != 1 || asked[0] != "lesson-1 acc-1" {
		t.Fatalf("policy asked %v, want once for lesson-1 acc-1", asked)
	}
	allowed = false
	if err := auth.AuthorizeHLS(req("index.m3u8", grant), "lesson-1"); !errors.Is(err, recorder.ErrForbidden) {
		t.Fatalf("playlist after access ended: %v, want ErrForbidden", err)
	}
	if err := auth.AuthorizeHLS(req("seg1.mp4", grant), "lesson-1"); err != nil || len(asked) != 2 {
		t.Fatalf("segment: err %v, policy asked %d times (want 2: segments are not rechecked)", err, len(asked))
	}
	forged := strings.Replace(grant, ".acc-1.", ".acc-2.", 1)
	if err := auth.AuthorizeHLS(req("index.m3u8", forged), "lesson-1"); !errors.Is(err, recorder.ErrForbidden) {
		t.Fatalf("grant with another account accepted: %v", err)
	}
	if err := auth.AuthorizeHLS(req("index.m3u8", grant), "lesson-2"); !errors.Is(err, recorder.ErrForbidden) {
		t.Fatalf("grant for another lesson accepted: %v", err)
	}
	if err := auth.AuthorizeHLS(req("index.m3u8", g.Issue("lesson-1", -time.Second)), "lesson-1"); !errors.Is(err, recorder.ErrForbidden) {
		t.Fatalf("expired grant accepted: %v", err)
	}
}
