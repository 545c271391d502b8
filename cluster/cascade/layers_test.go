package cascade_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/lectern/lectern/cluster/cascade"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// TestCascadeRelaysEachLayer: the teacher publishes three simulcast
// layers on the origin; the relay carries each layer as a stream of its
// own (three video streams and one sound stream cross), which the edge
// gathers back into one simulcast track with three layers, shown as the
// teacher's. Two students on the edge get the layer their display needs
// from it: a small one the lowest, a large one the highest.
func TestCascadeRelaysEachLayer(t *testing.T) {
	const lesson = "layers"
	originSFU := newSFU(t)
	layerOf := map[uint64]int{}
	var clips [3]peer.Clip
	for i, rid := range peer.SimulcastRIDs {
		c, err := peer.LoadIVF(filepath.Join(peer.MediaDir(), "sim_"+rid+".ivf"))
		if err != nil {
			t.Fatal(err)
		}
		clips[i] = c
		for _, f := range c.Frames {
			layerOf[peer.HashFrame(f.Data)] = i
		}
	}
	audio, err := peer.LoadOgg(filepath.Join(peer.MediaDir(), "teacher.ogg"))
	if err != nil {
		t.Fatal(err)
	}
	api, err := peer.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := peer.NewSimulcastPublisher(api, clips, audio)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	publishAs(t, originSFU, lesson, pub.PC, pub.Sources())
	pub.Start()
	waitTracks(t, originSFU.Room(lesson), 2)

	edgeSFU, relay := relayTo(t, originSFU, lesson)

	// The edge gathers the three layer streams into one track.
	var video *sfu.Track
	deadline := time.Now().Add(15 * time.Second)
	for layers := 0; layers < 3; {
		if time.Now().After(deadline) {
			t.Fatalf("the edge's video has %d layers, want 3", layers)
		}
		time.Sleep(50 * time.Millisecond)
		for _, tr := range edgeSFU.Room(lesson).Tracks() {
			if tr.Kind() == webrtc.RTPCodecTypeVideo {
				video, layers = tr, len(tr.Layers())
			}
		}
	}
	waitTracks(t, edgeSFU.Room(lesson), 2) // the sound may come a moment later
	if n := len(edgeSFU.Room(lesson).Tracks()); n != 2 {
		t.Errorf("the edge has %d tracks, want one video and one sound", n)
	}
	if !video.Simulcast() || video.Owner() != relay.Participant() || video.Info().ParticipantID != "teacher" {
		t.Errorf("the edge's video: simulcast %v, shown as %q", video.Simulcast(), video.Info().ParticipantID)
	}

	// Counted on the origin: the relay receives three video streams (one
	// per layer, each carrying) and the sound.
	relayPart := originSFU.Room(lesson).Participant(cascade.RelayParticipantID("edge"))
	deadline = time.Now().Add(10 * time.Second)
	for {
		var streams []sfu.TrackStats
		for _, ts := range relayPart.SubscriberStats().Tracks {
			if ts.Bitrate > 0 {
				streams = append(streams, ts)
			}
		}
		if len(streams) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the origin sends the relay %d streams (%+v), want 3 layers and the sound", len(streams), streams)
		}
		time.Sleep(100 * time.Millisecond)
	}

	small, large := join(t, edgeSFU, lesson, "small"), join(t, edgeSFU, lesson, "large")
	for _, s := range []*student{small, large} {
		if v := s.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 10*time.Second); v == nil || !v.WaitKeyframe(10*time.Second) {
			t.Fatal("an edge student receives no video")
		}
	}
	if err := small.part.SetTrackSettings(video.ID(), 160, 90, true); err != nil {
		t.Fatal(err)
	}
	if err := large.part.SetTrackSettings(video.ID(), 1280, 720, true); err != nil {
		t.Fatal(err)
	}
	received := func(s *student) int {
		v := s.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 0)
		fs := v.Frames()
		for i := len(fs) - 1; i >= 0 && i >= len(fs)-5; i-- {
			if l, ok := layerOf[fs[i].Hash]; ok {
				return l
			}
		}
		return -1
	}
	deadline = time.Now().Add(30 * time.Second)
	for received(small) != 0 || received(large) != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the small student receives layer %d, the large one %d; want 0 and 2 (edge layers %+v)",
				received(small), received(large), video.Layers())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, l := range video.Layers() {
		if l.Bitrate == 0 {
			t.Errorf("the relayed layer %d carries nothing", l.Index)
		}
	}
}
