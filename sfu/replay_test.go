package sfu_test

import (
	"context"
	"path/filepath"
	"slices"
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
	v := c.keyframe(t, 5*time.Second)
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

// TestJoinerStartsFromCacheWhilePublisherIsSilent: a subscriber whose
// transport comes up gets the cached keyframe and the frames since at
// once, not at the publisher's next packet. The publisher here sends a
// keyframe and five frames, then nothing for 30 s, and never answers a
// PLI: the joiner's picture can only come from the cache, started when
// its transport connects.
func TestJoinerStartsFromCacheWhilePublisherIsSilent(t *testing.T) {
	clip, err := peer.LoadIVF(filepath.Join(peer.MediaDir(), "teacher.ivf"))
	if err != nil {
		t.Fatal(err)
	}
	if !clip.Frames[0].Keyframe {
		t.Fatal("teacher.ivf does not start with a keyframe")
	}
	const frames = 6
	short := peer.Clip{MimeType: clip.MimeType, Frames: slices.Clone(clip.Frames[:frames])}
	short.Frames[frames-1].Duration = 30 * time.Second
	for _, f := range short.Frames[1:] {
		if f.Keyframe {
			t.Fatal("a second keyframe in the clip's first frames")
		}
	}
	api, err := peer.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := peer.NewPublisher(api, short, peer.Clip{})
	if err != nil {
		t.Fatal(err)
	}
	pub.IgnorePLIs = true
	t.Cleanup(pub.Close)
	s := newSFU(t)
	part, err := s.Join("silent", sfu.ParticipantConfig{ID: "teacher", Publish: true, Subscribe: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(part.Close)
	offerAnswer(t, part, pub.PC, pub.Sources())
	// The one keyframe must not be sent before SRTP is up.
	if err := peer.WaitConnected(context.Background(), pub.PC); err != nil {
		t.Fatal(err)
	}
	pub.Start()
	waitTracks(t, s.Room("silent"), 1)
	time.Sleep(500 * time.Millisecond) // the six frames are out; then silence
	c := newClient(t)
	c.join(t, s, "silent", "late", false)
	v := c.keyframe(t, 5*time.Second) // the publisher is silent: from the cache
	// The frames after the keyframe follow at once; the sample builder
	// gives out the last one only when a later packet arrives.
	const whole = frames - 1
	var st peer.Stats
	for range 50 {
		if st = v.Stats(); st.Frames >= whole {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !st.FirstFrameIsKeyframe || st.Frames < whole || st.Keyframes != 1 || st.Lost != 0 || st.PictureIDJumps != 0 {
		t.Fatalf("joiner got %+v, want the %d cached frames from the keyframe, none lost", st, whole)
	}
	if pub.PLIs.Load() == 0 {
		t.Error("no PLI was sent for the joiner: the cache would go stale")
	}
}
