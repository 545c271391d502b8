package signaling_test

import (
	"context"
	"encoding/json"
	"github.com/lectern/lectern/classroom/live"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

func TestLiveLessonOverWebSocket(t *testing.T) {
	ts := newServer(t)
	ctx := context.Background()
	teacher, _ := peer.Teach(t, ctx, ts.wsURL(), ts.token(t, "L1", "teacher", token.RoleTeacher), peer.NewTeacher)
	if teacher.Joined.Participant.Permissions == nil || !teacher.Joined.Participant.Permissions.Publish {
		t.Fatalf("teacher joined without publish permission: %+v", teacher.Joined.Participant)
	}
	subs := make([]*peer.Subscriber, 3)
	clients := make([]*peer.Client, 3)
	for i := range subs {
		subs[i] = peer.Viewer(t)
		clients[i] = join(t, ts, "L1", "student"+string(rune('0'+i)), token.RoleStudent, subs[i])
	}
	for i, s := range subs {
		v := s.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second)
		a := s.WaitTrack(webrtc.RTPCodecTypeAudio, 5*time.Second)
		if v == nil || a == nil {
			t.Fatalf("student %d: video %v audio %v", i, v != nil, a != nil)
		}
		if !v.WaitKeyframe(3*time.Second) || !a.WaitPacket(3*time.Second) {
			t.Fatalf("student %d: no keyframe or no audio", i)
		}
	}
	// The subscribe offer names each track's source and publisher.
	ev, ok := clients[0].WaitEvent(signaling.TypeSubscribeOffer, time.Second, nil)
	if !ok {
		t.Fatal("no subscribe.offer event")
	}
	var offer signaling.SubscribeOffer
	_ = json.Unmarshal(ev.Payload, &offer)
	sources := map[string]bool{}
	for _, tr := range offer.Tracks {
		if tr.ParticipantID != teacher.Joined.Participant.ID {
			t.Errorf("track %+v not attributed to the teacher", tr)
		}
		sources[string(tr.Source)] = true
	}
	time.Sleep(time.Second)
	for i, s := range subs {
		st := s.WaitTrack(webrtc.RTPCodecTypeVideo, 0).Stats()
		if !st.FirstFrameIsKeyframe || st.Frames < 15 || st.OutOfOrderFrames > 0 || st.Lost > 0 {
			t.Errorf("student %d video: %+v", i, st)
		}
	}
	// A student who says leave is gone at once for the others.
	if err := clients[2].Send(context.Background(), signaling.TypeLeave, "", struct{}{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := teacher.WaitEvent(live.EvParticipantLeft, 3*time.Second, func(e signaling.Envelope) bool {
		var p live.Left
		_ = json.Unmarshal(e.Payload, &p)
		return p.ParticipantID == clients[2].Joined.Participant.ID
	}); !ok {
		t.Error("teacher was not told that student2 left")
	}
	before := subs[0].WaitTrack(webrtc.RTPCodecTypeVideo, 0).Stats().Frames
	time.Sleep(600 * time.Millisecond)
	if after := subs[0].WaitTrack(webrtc.RTPCodecTypeVideo, 0).Stats().Frames; after-before < 10 {
		t.Errorf("after a student left another received %d frames in 600 ms", after-before)
	}

	// Adaptive stream: a student who hides the video gets none of it.
	var videoID string
	for _, tr := range ts.sfu.Room("L1").Tracks() {
		if tr.Kind() == webrtc.RTPCodecTypeVideo {
			videoID = tr.ID()
		}
	}
	if err := req(t, clients[0], signaling.TypeTrackSettings, signaling.TrackSettings{TrackID: videoID, Visible: false}); err != nil {
		t.Fatalf("track.settings: %v", err)
	}
	if err := req(t, clients[0], signaling.TypeTrackSettings, signaling.TrackSettings{TrackID: "nope", Visible: true}); !peer.IsError(err, signaling.CodeNotFound) {
		t.Fatalf("track.settings for an unknown track: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	v0 := subs[0].WaitTrack(webrtc.RTPCodecTypeVideo, 0)
	hidden := v0.Stats().Packets
	time.Sleep(700 * time.Millisecond)
	if got := v0.Stats().Packets - hidden; got > 2 {
		t.Errorf("a hidden video still received %d packets", got)
	}
	if st := subs[1].WaitTrack(webrtc.RTPCodecTypeVideo, 0).Stats(); st.Frames < 30 {
		t.Errorf("the other student's video suffered: %+v", st)
	}
}

func TestLateJoinerSeesParticipantsAndTracks(t *testing.T) {
	ts := newServer(t)
	teacher, _ := peer.Teach(t, context.Background(), ts.wsURL(), ts.token(t, "L2", "teacher", token.RoleTeacher), peer.NewTeacher)
	peer.WaitTracks(t, ts.sfu, "L2", 2)
	time.Sleep(1200 * time.Millisecond)
	sub := peer.Viewer(t)
	start := time.Now()
	late := join(t, ts, "L2", "late", token.RoleStudent, sub)
	if len(late.Joined.Participants) != 1 || late.Joined.Participants[0].ID != teacher.Joined.Participant.ID || len(late.Joined.Tracks) != 2 {
		t.Fatalf("joined: %+v", late.Joined)
	}
	if late.Joined.Participants[0].Permissions != nil {
		t.Error("other participants' permissions leaked")
	}
	v := sub.WaitTrack(webrtc.RTPCodecTypeVideo, 3*time.Second)
	if v == nil || !v.WaitKeyframe(time.Second) {
		t.Fatal("late joiner got no keyframe within a second")
	}
	t.Logf("connect to keyframe: %v", v.Stats().FirstKeyframeAt.Sub(start))
}

func TestStudentTokenCannotPublish(t *testing.T) {
	ts := newServer(t)
	student := join(t, ts, "L3", "s", token.RoleStudent, nil)
	pub := newPublisher(t)
	err := student.Publish(context.Background(), pub)
	if !peer.IsError(err, signaling.CodeForbidden) {
		t.Fatalf("student publish: %v, want forbidden", err)
	}
	if ts.sfu.Room("L3") == nil || len(ts.sfu.Room("L3").Tracks()) != 0 {
		t.Fatal("a track appeared from a student")
	}
	// The connection carries on.
	if _, err := student.Request(context.Background(), signaling.TypePing, struct{}{}); err != nil {
		t.Fatalf("ping after refusal: %v", err)
	}
}

func TestReconnectReplacesOldConnection(t *testing.T) {
	ts := newServer(t)
	first := join(t, ts, "L4", "s", token.RoleStudent, nil)
	other := join(t, ts, "L4", "t", token.RoleTeacher, nil)
	join(t, ts, "L4", "s", token.RoleStudent, nil)
	select {
	case <-first.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the old connection stayed open")
	}
	if got := first.CloseStatus(); got != signaling.CloseReplaced {
		t.Fatalf("close status %d, want %d", got, signaling.CloseReplaced)
	}
	time.Sleep(100 * time.Millisecond)
	for _, e := range other.Events() {
		if e.Type == live.EvParticipantLeft {
			t.Fatal("a reconnect was shown to others as leaving")
		}
	}
}
