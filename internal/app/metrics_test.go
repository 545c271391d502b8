package app_test

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// scrape fetches /metrics and returns each sample line's value by its
// name and labels as written ("lectern_rooms", `lectern_participants{role="student"}`).
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// TestMetricsDuringLesson: /metrics scraped during a lesson shows the
// room, its participants by role, tracks, and forwarded packets rising.
func TestMetricsDuringLesson(t *testing.T) {
	a, srv := start(t, t.TempDir(), "")
	t.Cleanup(func() { srv.Close(); _ = a.Close() })
	sub := peer.Viewer(t)
	joinLesson(t, a, srv, "turn", "student", token.RoleStudent, sub)
	teach(t, a, srv)
	if v := sub.WaitTrack(webrtc.RTPCodecTypeVideo, 10*time.Second); v == nil || !v.WaitKeyframe(5*time.Second) {
		t.Fatal("the student receives no video")
	}
	first := scrape(t, srv.URL)
	time.Sleep(time.Second)
	second := scrape(t, srv.URL)

	const fwd = "lectern_forwarded_packets_total"
	if first[fwd] <= 0 || second[fwd] <= first[fwd] {
		t.Fatalf("forwarded packets %v then %v: not rising", first[fwd], second[fwd])
	}
	// A second of a camera and a microphone is well over 50 packets.
	if second[fwd]-first[fwd] < 50 {
		t.Errorf("only %v packets forwarded in a second", second[fwd]-first[fwd])
	}
	for name, want := range map[string]float64{
		"lectern_rooms": 1, `lectern_participants{role="teacher"}`: 1, `lectern_participants{role="student"}`: 1,
		`lectern_tracks{kind="video"}`: 1, `lectern_tracks{kind="audio"}`: 1,
	} {
		if second[name] != want {
			t.Errorf("%s = %v, want %v", name, second[name], want)
		}
	}
	if second[`lectern_signaling_messages_total{type="join"}`] < 2 {
		t.Error("join messages not counted")
	}
	if second["lectern_join_to_first_frame_seconds_count"] < 1 {
		t.Error("no join-to-first-frame observation")
	}
	if second["lectern_forwarded_bytes_total"] <= first["lectern_forwarded_bytes_total"] {
		t.Error("forwarded bytes not rising")
	}
	// The student's subscribing connection has an estimate (issue 13).
	if second[`lectern_subscriber_estimates{le="+Inf"}`] < 1 || second["lectern_subscriber_estimates_sum_bps"] <= 0 {
		t.Errorf("subscriber estimates: %v connections, sum %v bps", second[`lectern_subscriber_estimates{le="+Inf"}`], second["lectern_subscriber_estimates_sum_bps"])
	}
	if v, ok := second["lectern_rtcp_malformed_total"]; !ok || v != 0 {
		t.Errorf("malformed RTCP from well-behaved peers: %v (reported: %v)", v, ok)
	}
	if second["lectern_db_pool_max_connections"] < 1 {
		t.Error("no database pool figures")
	}
	if second[`lectern_http_requests_total{method="GET",route="GET /metrics",status="200"}`] < 1 {
		t.Errorf("HTTP requests not counted by route")
	}
}
