package signaling_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// minimalOffer is a valid recvonly WHEP offer (one video section).
const minimalOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n" +
	"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
	"a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n" +
	"a=setup:actpass\r\na=rtpmap:96 VP8/90000\r\n"

// FuzzWHIPWHEP posts any body and content type to WHIP and WHEP with
// valid tokens: the request is answered 201, 400, 413 or 415 (the SDP goes
// as far as SetRemoteDescription), never 5xx, and a created session can be
// deleted.
func FuzzWHIPWHEP(f *testing.F) {
	f.Add("application/sdp", minimalOffer, false)
	f.Add("application/sdp", minimalOffer, true)
	f.Add("application/sdp", "v=0\r\n", false)
	f.Add("application/sdp", strings.Replace(minimalOffer, "m=video 9", "m=video -1", 1), true)
	f.Add("application/sdp; charset=utf-8", strings.Replace(minimalOffer, "VP8", "H265", 1), false)
	f.Add("text/plain", minimalOffer, false)
	f.Add("application/sdp", "", true)
	ts := newServer(f)
	issue := func(user string, role token.Role) string {
		tok, err := ts.signer.Issue(token.Claims{Lesson: "fuzz", User: user, Name: user, Role: role, Permissions: token.DefaultPermissions(role)}, time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		return tok
	}
	teacher, student := issue("teacher", token.RoleTeacher), issue("student", token.RoleStudent)
	f.Fuzz(func(t *testing.T, ctype, body string, whip bool) {
		url, tok := ts.URL+"/whep/fuzz", student
		if whip {
			url, tok = ts.URL+"/whip/fuzz", teacher
		}
		if strings.ContainsFunc(ctype, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			t.Skip("a Content-Type with control characters is not a header any HTTP client sends")
		}
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusCreated:
			del, _ := http.NewRequest(http.MethodDelete, ts.URL+resp.Header.Get("Location"), nil)
			del.Header.Set("Authorization", "Bearer "+tok)
			dr, err := http.DefaultClient.Do(del)
			if err != nil {
				t.Fatal(err)
			}
			dr.Body.Close()
			if dr.StatusCode/100 != 2 {
				t.Fatalf("DELETE of a created session: %s", dr.Status)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		default:
			t.Fatalf("%q %q → %d %s", ctype, body, resp.StatusCode, b)
		}
	})
}
