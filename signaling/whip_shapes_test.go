package signaling_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// TestWHIPOfferShapes: the offers common WHIP publishers send, each made
// by a real Pion publisher: Pion simulcast (AddEncoding: an a=ssrc line
// per layer with an RTX ssrc-group:FID, no ssrc-group:SIM; its packets
// carry the mid and RID header extensions), Chromium simulcast (RIDs and
// a=simulcast, no a=ssrc lines: the Pion offer with them removed), the
// same Pion simulcast from a publisher that does not tag its packets (the
// reported bug: "incoming SSRC failed Simulcast probing"), and a
// single-layer H.264 encoder as OBS sends. Each reaches the SFU with all
// its layers and a student receives it.
func TestWHIPOfferShapes(t *testing.T) {
	dir := peer.MediaDir()
	for _, shape := range []struct {
		name    string
		layers  int
		publish func(t *testing.T) (*webrtc.PeerConnection, func(), func(string) string)
	}{
		{"pion-simulcast-rid-tagged", 3, pionSimulcast},
		{"pion-simulcast-untagged", 3, func(t *testing.T) (*webrtc.PeerConnection, func(), func(string) string) {
			return pionSimulcastWith(t, true)
		}},
		{"chromium-simulcast", 3, func(t *testing.T) (*webrtc.PeerConnection, func(), func(string) string) {
			pc, start, _ := pionSimulcast(t)
			return pc, start, withoutSSRCs
		}},
		{"obs-h264", 1, func(t *testing.T) (*webrtc.PeerConnection, func(), func(string) string) {
			clip, err := peer.LoadH264(filepath.Join(dir, "teacher.h264"), 30)
			if err != nil {
				t.Fatal(err)
			}
			audio, err := peer.LoadOgg(filepath.Join(dir, "teacher.ogg"))
			if err != nil {
				t.Fatal(err)
			}
			api, err := peer.NewAPI()
			if err != nil {
				t.Fatal(err)
			}
			pub, err := peer.NewPublisher(api, clip, audio)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pub.Close)
			return pub.PC, pub.Start, nil
		}},
	} {
		t.Run(shape.name, func(t *testing.T) {
			ts := newServer(t)
			lesson := "L-" + shape.name
			pc, start, munge := shape.publish(t)
			offer := peer.Offer(t, pc)
			if munge != nil {
				offer = munge(offer)
			}
			resp := post(t, ts.URL+"/whip/"+lesson, ts.token(t, lesson, "obs", token.RoleTeacher), "application/sdp", offer)
			applyAnswer(t, pc, resp)
			start()
			deadline := time.Now().Add(10 * time.Second)
			for {
				var video int
				if r := ts.sfu.Room(lesson); r != nil {
					for _, tr := range r.Tracks() {
						if tr.Kind() == webrtc.RTPCodecTypeVideo && tr.PacketsReceived() > 30 {
							video = len(tr.Layers())
						}
					}
				}
				if video == shape.layers {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: the SFU receives %d video layers with media, want %d", shape.name, video, shape.layers)
				}
				time.Sleep(50 * time.Millisecond)
			}
			sub := peer.Viewer(t)
			join(t, ts, lesson, "student", token.RoleStudent, sub)
			if v := sub.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second); v == nil || !v.WaitKeyframe(5*time.Second) {
				t.Fatalf("%s: a student got no video from the WHIP publisher", shape.name)
			}
		})
	}
}

func pionSimulcast(t *testing.T) (*webrtc.PeerConnection, func(), func(string) string) {
	t.Helper()
	return pionSimulcastWith(t, false)
}

func pionSimulcastWith(t *testing.T, untagged bool) (*webrtc.PeerConnection, func(), func(string) string) {
	t.Helper()
	var layers [3]peer.Clip
	for i, rid := range peer.SimulcastRIDs {
		c, err := peer.LoadIVF(filepath.Join(peer.MediaDir(), "sim_"+rid+".ivf"))
		if err != nil {
			t.Fatal(err)
		}
		layers[i] = c
	}
	api, err := peer.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := peer.NewSimulcastPublisher(api, layers, peer.Clip{})
	if err != nil {
		t.Fatal(err)
	}
	pub.Untagged = untagged
	t.Cleanup(pub.Close)
	return pub.PC, pub.Start, nil
}

// withoutSSRCs removes the a=ssrc and a=ssrc-group lines of the video
// section, as Chromium's simulcast offers have none.
func withoutSSRCs(sdp string) string {
	var out []string
	for _, l := range strings.Split(sdp, "\r\n") {
		if strings.HasPrefix(l, "a=ssrc") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\r\n")
}
