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
	pub, layerOf := teachSimulcast(t, originSFU, lesson)
	pub.Start()
	peer.WaitTracks(t, originSFU, lesson, 2)

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
	peer.WaitTracks(t, edgeSFU, lesson, 2) // the sound may come a moment later
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

// teachSimulcast publishes a three-layer simulcast camera and a
// microphone in room as the teacher, with the layers named in paused not
// sent; it returns the publisher, not started, and the layer of each
// frame by its hash.
func teachSimulcast(t *testing.T, s *sfu.SFU, room string, paused ...string) (*peer.SimulcastPublisher, map[uint64]int) {
	t.Helper()
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
	for _, rid := range paused {
		pub.SetActive(rid, false)
	}
	peer.PublishesTo(t, teacherIn(t, s, room), pub.PC, pub.Sources())
	return pub, layerOf
}

// relayStreams returns the ids of the streams the origin sends a relay,
// once its figures list at least n streams, among them a stream of every
// track in want (bounded wait).
func relayStreams(t *testing.T, relay *sfu.Participant, n int, want ...string) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var ids []string
		seen := map[string]bool{}
		for _, ts := range relay.SubscriberStats().Tracks {
			ids = append(ids, ts.TrackID)
			seen[ts.TrackID] = true
		}
		all := len(ids) >= n
		for _, w := range want {
			all = all && seen[w]
		}
		if all {
			return ids
		}
		if time.Now().After(deadline) {
			t.Fatalf("the origin sends the relay %v, want streams of %v", ids, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRelayOpensOnlyTheLayersTheTrackHas: a video without simulcast
// crosses as one stream, not three; a simulcast video whose upper layers
// are paused crosses as its one layer, and a layer that appears later
// (the publisher starts sending it) is relayed then and joins the edge's
// track.
func TestRelayOpensOnlyTheLayersTheTrackHas(t *testing.T) {
	t.Run("plain", func(t *testing.T) {
		originSFU := newSFU(t)
		teach(t, originSFU, "l")
		peer.WaitTracks(t, originSFU, "l", 2)
		edgeSFU, _ := relayTo(t, originSFU, "l")
		peer.WaitTracks(t, edgeSFU, "l", 2)
		var ids []string
		for _, tr := range originSFU.Room("l").Tracks() {
			ids = append(ids, tr.ID())
		}
		relay := originSFU.Room("l").Participant(cascade.RelayParticipantID("edge"))
		if got := relayStreams(t, relay, 2, ids...); len(got) != 2 {
			t.Errorf("the origin sends the relay %v, want one stream of the video and one of the sound", got)
		}
	})

	t.Run("late layer", func(t *testing.T) {
		const lesson = "late"
		originSFU := newSFU(t)
		pub, _ := teachSimulcast(t, originSFU, lesson, peer.SimulcastRIDs[1], peer.SimulcastRIDs[2])
		pub.Start()
		peer.WaitTracks(t, originSFU, lesson, 2)
		edgeSFU, r := relayTo(t, originSFU, lesson)
		peer.WaitTracks(t, edgeSFU, lesson, 2)

		var ids []string
		var origVideo *sfu.Track
		for _, tr := range originSFU.Room(lesson).Tracks() {
			ids = append(ids, tr.ID())
			if tr.Kind() == webrtc.RTPCodecTypeVideo {
				origVideo = tr
			}
		}
		relay := originSFU.Room(lesson).Participant(cascade.RelayParticipantID("edge"))
		if got := relayStreams(t, relay, 2, ids...); len(got) != 2 {
			t.Errorf("with one layer sent, the origin sends the relay %v, want one video stream and the sound", got)
		}
		edgeVideo := func() *sfu.Track {
			for _, tr := range edgeSFU.Room(lesson).Tracks() {
				if tr.Kind() == webrtc.RTPCodecTypeVideo {
					return tr
				}
			}
			return nil
		}
		if v := edgeVideo(); v == nil || len(v.Layers()) != 1 {
			t.Fatalf("the edge's video before the late layer: %+v, want one layer", v)
		}

		// The top layer starts: it crosses too, and joins the edge's track.
		pub.SetActive(peer.SimulcastRIDs[2], true)
		deadline := time.Now().Add(15 * time.Second)
		for {
			v := edgeVideo()
			if v != nil && len(v.Layers()) == 2 && v.Layers()[1].Index == 2 && v.Owner() == r.Participant() {
				break
			}
			if time.Now().After(deadline) {
				var layers []sfu.LayerInfo
				if v != nil {
					layers = v.Layers()
				}
				t.Fatalf("the edge's video has layers %+v, want 0 and 2 (origin's: %+v)", layers, origVideo.Layers())
			}
			time.Sleep(50 * time.Millisecond)
		}
		if got := relayStreams(t, relay, 3, ids...); len(got) != 3 {
			t.Errorf("after the late layer, the origin sends the relay %v, want two video streams and the sound", got)
		}
	})
}
