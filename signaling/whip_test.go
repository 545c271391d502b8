package signaling_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

func post(t *testing.T, url, tok, ctype, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func applyAnswer(t *testing.T, pc *webrtc.PeerConnection, resp *http.Response) {
	t.Helper()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if resp.Header.Get("Content-Type") != "application/sdp" || resp.Header.Get("Location") == "" {
		t.Fatalf("headers: %v", resp.Header)
	}
	b, _ := io.ReadAll(resp.Body)
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(b)}); err != nil {
		t.Fatal(err)
	}
}

func TestWHIPToWHEP(t *testing.T) {
	ts := newServer(t)
	pub := newPublisher(t)
	resp := post(t, ts.URL+"/whip/L9", ts.token(t, "L9", "obs", token.RoleTeacher), "application/sdp", peer.Offer(t, pub.PC))
	applyAnswer(t, pub.PC, resp)
	whipLocation := resp.Header.Get("Location")
	pub.Start()

	// A student on the WebSocket receives the WHIP publisher's media.
	wsSub := peer.Viewer(t)
	join(t, ts, "L9", "student", token.RoleStudent, wsSub)
	if v := wsSub.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second); v == nil || !v.WaitKeyframe(3*time.Second) {
		t.Fatal("WebSocket student got no video from the WHIP publisher")
	}

	// A WHEP player receives it too.
	player := peer.Player(t)
	viewerTok := ts.token(t, "L9", "viewer", token.RoleObserver)
	resp = post(t, ts.URL+"/whep/L9", viewerTok, "application/sdp", peer.Offer(t, player.PC))
	applyAnswer(t, player.PC, resp)
	whepLocation := resp.Header.Get("Location")
	v := player.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second)
	a := player.WaitTrack(webrtc.RTPCodecTypeAudio, 5*time.Second)
	if v == nil || a == nil || !v.WaitKeyframe(3*time.Second) || !a.WaitPacket(3*time.Second) {
		t.Fatal("WHEP player got no media")
	}
	time.Sleep(500 * time.Millisecond)
	if st := v.Stats(); !st.FirstFrameIsKeyframe || st.Frames < 8 || st.Width != 320 {
		t.Fatalf("WHEP video: %+v", st)
	}

	// PATCH with a trickled candidate, then DELETE; a second DELETE is 404.
	req, _ := http.NewRequest(http.MethodPatch, ts.URL+whepLocation, strings.NewReader("a=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\n"))
	req.Header.Set("Authorization", "Bearer "+viewerTok)
	req.Header.Set("Content-Type", "application/trickle-ice-sdpfrag")
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusNoContent {
		t.Fatalf("PATCH: %v %v", r.StatusCode, err)
	}
	for i, want := range []int{http.StatusOK, http.StatusNotFound} {
		req, _ := http.NewRequest(http.MethodDelete, ts.URL+whipLocation, nil)
		req.Header.Set("Authorization", "Bearer "+ts.token(t, "L9", "obs", token.RoleTeacher))
		r, err := http.DefaultClient.Do(req)
		if err != nil || r.StatusCode != want {
			t.Fatalf("DELETE %d: %v %v, want %d", i, r.StatusCode, err, want)
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(ts.sfu.Room("L9").Tracks()) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("WHIP tracks still published after DELETE")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWHIPRefusals(t *testing.T) {
	ts := newServer(t)
	teacher := ts.token(t, "L", "t", token.RoleTeacher)
	pub := newPublisher(t)
	offer := peer.Offer(t, pub.PC)
	cases := []struct {
		name, path, tok, ctype, body string
		want                         int
	}{
		{"no token", "/whip/L", "", "application/sdp", offer, 401},
		{"forged token", "/whip/L", "abc.def", "application/sdp", offer, 401},
		{"student publishes", "/whip/L", ts.token(t, "L", "s", token.RoleStudent), "application/sdp", offer, 403},
		{"other lesson", "/whip/M", teacher, "application/sdp", offer, 403},
		{"wrong type", "/whip/L", teacher, "application/json", offer, 415},
		{"bad sdp", "/whip/L", teacher, "application/sdp", "v=0\r\nnonsense", 400},
		{"too large", "/whip/L", teacher, "application/sdp", strings.Repeat("a", 70<<10), 413},
		{"whep bad sdp", "/whep/L", ts.token(t, "L", "o", token.RoleObserver), "application/sdp", "hello", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := post(t, ts.URL+tc.path, tc.tok, tc.ctype, tc.body)
			if resp.StatusCode != tc.want {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, b)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodDelete, ts.URL+"/whip/L/nosuch", nil)
	req.Header.Set("Authorization", "Bearer "+teacher)
	if r, _ := http.DefaultClient.Do(req); r.StatusCode != http.StatusNotFound {
		t.Fatalf("DELETE unknown: %d", r.StatusCode)
	}
	if r := ts.sfu.Room("L"); r != nil && len(r.Tracks()) != 0 {
		t.Fatal("a refused request published a track")
	}
}
