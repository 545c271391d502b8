package sfu_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// TestJoinMidGOPWithDeafPublisher joins a student in the middle of a GOP
// of a publisher that never answers keyframe requests. The student's
// down-track must start at once from the layer's cached keyframe and what
// followed it: the first frame is a keyframe, every later frame follows its
// predecessor (nothing undecodable), and the publisher was still asked for
// a keyframe so that the cache stays fresh.
func TestJoinMidGOPWithDeafPublisher(t *testing.T) {
	s := newSFU(t)
	pub, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	pub.IgnorePLIs = true
	publishWith(t, s, "deaf", pub)
	r := s.Room("deaf")
	waitTracks(t, r, 2)
	var video *sfu.Track
	for _, tr := range r.Tracks() {
		if tr.Kind() == webrtc.RTPCodecTypeVideo {
			video = tr
		}
	}
	// Mid-GOP: 100–300 ms after a keyframe of the clip's 1 s GOP that the
	// SFU received (the publisher's first is sent before its connection
	// is up, and lost).
	deadline := time.Now().Add(5 * time.Second)
	for video.PacketsReceived() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	flowing := time.Now()
	for {
		if k := pub.LastKeyframeAt(); k.After(flowing) {
			if since := time.Since(k); since > 100*time.Millisecond && since < 300*time.Millisecond {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the publisher sent no keyframe")
		}
		time.Sleep(5 * time.Millisecond)
	}
	plis := pub.PLIs.Load()
	c := newClient(t)
	start := time.Now()
	c.join(t, s, "deaf", "student", false)
	v := c.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second)
	if v == nil {
		t.Fatal("no video track")
	}
	if !v.WaitKeyframe(5 * time.Second) {
		t.Fatal("no keyframe")
	}
	st := v.Stats()
	if !st.FirstFrameIsKeyframe {
		t.Fatal("the first frame was not a keyframe")
	}
	downs := video.DownTracks()
	if len(downs) != 1 {
		t.Fatalf("%d down-tracks on the video, want the student's", len(downs))
	}
	if downs[0].Replays() == 0 {
		t.Fatal("the student's down-track waited for the next keyframe instead of starting from the cached one")
	}
	time.Sleep(1500 * time.Millisecond)
	if pub.PLIs.Load() == plis {
		t.Error("no keyframe request reached the publisher: the cache would go stale")
	}
	clip, err := peer.LoadIVF(filepath.Join(peer.MediaDir(), "teacher.ivf"))
	if err != nil {
		t.Fatal(err)
	}
	frames := v.Frames()
	checkClipOrder(t, clip, frames, false)
	if st := v.Stats(); st.Lost != 0 || st.PictureIDJumps != 0 {
		t.Errorf("after the replay: %+v", st)
	}
	t.Logf("join to first keyframe %v, %d frames", st.FirstKeyframeAt.Sub(start), len(frames))
}
