package sfu_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// TestTapReceivesMainTracks: a tap opened before the room exists receives
// the teacher's H.264 video (starting at a keyframe) and Opus microphone,
// and stops receiving when closed.
func TestTapReceivesMainTracks(t *testing.T) {
	s := newSFU(t)
	tap := s.Tap("lesson-tap")
	pub, err := peer.NewH264Teacher()
	if err != nil {
		t.Fatal(err)
	}
	publishWith(t, s, "lesson-tap", pub)
	var video, sound int
	var first *bool
	deadline := time.After(5 * time.Second)
	for video < 100 || sound < 50 {
		select {
		case p := <-tap.Packets():
			switch p.Kind {
			case webrtc.RTPCodecTypeVideo:
				if !strings.EqualFold(p.Codec.MimeType, webrtc.MimeTypeH264) {
					t.Fatalf("video codec %s", p.Codec.MimeType)
				}
				if first == nil {
					// STAP-A (24) with SPS, or an SPS/IDR NAL unit.
					typ := p.Payload[0] & 0x1f
					ok := typ == 24 || typ == 7 || typ == 5
					first = &ok
				}
				video++
			case webrtc.RTPCodecTypeAudio:
				if !strings.EqualFold(p.Codec.MimeType, webrtc.MimeTypeOpus) {
					t.Fatalf("audio codec %s", p.Codec.MimeType)
				}
				sound++
			}
			tap.Release(p)
		case <-deadline:
			t.Fatalf("tap received %d video and %d audio packets in 5 s", video, sound)
		}
	}
	if !*first {
		t.Fatal("the tap's first video packet was not the start of a keyframe")
	}
	v, a := tap.Sources()
	if v == nil || a == nil || v.Owner().ID() != "teacher" {
		t.Fatalf("sources %v %v", v, a)
	}
	tap.Close()
	tap.Close()
	// Drain what was queued; nothing more arrives.
	for {
		select {
		case p := <-tap.Packets():
			tap.Release(p)
			continue
		case <-time.After(300 * time.Millisecond):
		}
		break
	}
	select {
	case <-tap.Packets():
		t.Fatal("packet after Close")
	case <-time.After(300 * time.Millisecond):
	}
}

// TestTapSkipsOtherVideoCodecs: a tap limited to H.264 does not take a VP8
// main video (so it holds no layer at the publisher), while it still takes
// the microphone.
func TestTapSkipsOtherVideoCodecs(t *testing.T) {
	s := newSFU(t)
	tap := s.Tap("lesson-vp8", sfu.TapVideoCodecs(webrtc.MimeTypeH264))
	defer tap.Close()
	pub, err := peer.NewTeacher() // VP8 and Opus
	if err != nil {
		t.Fatal(err)
	}
	publishWith(t, s, "lesson-vp8", pub)
	sound := 0
	deadline := time.After(5 * time.Second)
	for sound < 50 {
		select {
		case p := <-tap.Packets():
			if p.Kind == webrtc.RTPCodecTypeVideo {
				t.Fatalf("the tap took %s video", p.Codec.MimeType)
			}
			sound++
			tap.Release(p)
		case <-deadline:
			t.Fatalf("tap received %d audio packets in 5 s", sound)
		}
	}
	if v, a := tap.Sources(); v != nil || a == nil {
		t.Fatalf("sources %v %v, want no video and the microphone", v, a)
	}
}
