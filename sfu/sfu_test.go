package sfu_test

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// newSFU is the tests' loopback SFU.
var newSFU = peer.SFU

// client glues a synthetic subscriber to an SFU participant in-process,
// playing the part of the signalling layer.
type client struct {
	sfu.NopListener
	t    testing.TB
	sub  *peer.Subscriber
	part *sfu.Participant
	work chan func()
	done chan struct{}

	mu     sync.Mutex
	events []string
}

func newClient(t testing.TB) *client {
	t.Helper()
	api, err := peer.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	return newClientAPI(t, api)
}

func newClientAPI(t testing.TB, api *webrtc.API) *client {
	t.Helper()
	sub, err := peer.NewSubscriber(api)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, sub: sub, work: make(chan func(), 64), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for f := range c.work {
			f()
		}
	}()
	t.Cleanup(c.close)
	return c
}

func (c *client) close() {
	if c.part != nil {
		c.part.Close()
	}
	c.sub.Close()
	select {
	case <-c.done:
	default:
		close(c.work)
		<-c.done
	}
}

// keyframe waits, up to timeout each, for the client's video track and
// its first keyframe, and fails t without them.
func (c *client) keyframe(t testing.TB, timeout time.Duration) *peer.Received {
	t.Helper()
	v := c.sub.WaitTrack(webrtc.RTPCodecTypeVideo, timeout)
	if v == nil {
		t.Fatalf("no video track within %v", timeout)
	}
	if !v.WaitKeyframe(timeout) {
		t.Fatalf("no keyframe within %v", timeout)
	}
	return v
}

func (c *client) SubscribeOffer(sdp string, _ map[string]sfu.TrackInfo) {
	c.work <- func() {
		if err := c.sub.AnswerIn(c.part, sdp); err != nil {
			c.t.Errorf("answer: %v", err)
		}
	}
}

func (c *client) TrackPublished(i sfu.TrackInfo) {
	c.mu.Lock()
	c.events = append(c.events, "published:"+string(i.Source))
	c.mu.Unlock()
}

func (c *client) join(t testing.TB, s *sfu.SFU, room, id string, publish bool) {
	t.Helper()
	// The participant must exist before offers can be answered.
	ready := make(chan struct{})
	c.work <- func() { <-ready }
	p, err := s.Join(room, sfu.ParticipantConfig{ID: id, Publish: publish, Subscribe: true, Listener: c})
	if err != nil {
		t.Fatal(err)
	}
	c.part = p
	close(ready)
}

func publish(t testing.TB, s *sfu.SFU, room string) (*peer.Publisher, *sfu.Participant) {
	t.Helper()
	pub, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	return pub, publishWith(t, s, room, pub)
}

// publishWith makes pub the room's teacher through the SFU's publish path.
func publishWith(t testing.TB, s *sfu.SFU, room string, pub *peer.Publisher) *sfu.Participant {
	t.Helper()
	t.Cleanup(pub.Close)
	part, err := s.Join(room, sfu.ParticipantConfig{ID: "teacher", Publish: true, Subscribe: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(part.Close)
	offerAnswer(t, part, pub.PC, pub.Sources())
	pub.Start()
	return part
}

// offerAnswer publishes pc's tracks as part, as the signalling layer
// would: a complete offer in, the answer applied.
var offerAnswer = peer.PublishesTo

// offerAnswerMunged is offerAnswer with the offer passed through munge
// (nil: as it is) on its way to the SFU, as a browser's differs from
// Pion's.
func offerAnswerMunged(t testing.TB, part *sfu.Participant, pc *webrtc.PeerConnection, sources map[string]sfu.Source, munge func(string) string) {
	t.Helper()
	if err := peer.OfferAnswer(pc, func(offer string) (string, error) {
		if munge != nil {
			offer = munge(offer)
		}
		return part.Publish(offer, sources)
	}); err != nil {
		t.Fatal(err)
	}
}

func waitTracks(t testing.TB, r *sfu.Room, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(r.Tracks()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("room has %d tracks, want %d", len(r.Tracks()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func checkReceives(t *testing.T, c *client, name string) {
	t.Helper()
	v := c.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second)
	a := c.sub.WaitTrack(webrtc.RTPCodecTypeAudio, 5*time.Second)
	if v == nil || a == nil {
		t.Fatalf("%s: video %v audio %v", name, v != nil, a != nil)
	}
	if !v.WaitKeyframe(3 * time.Second) {
		t.Fatalf("%s: no keyframe", name)
	}
	if !a.WaitPacket(3 * time.Second) {
		t.Fatalf("%s: no audio", name)
	}
	if v.StreamID != "teacher" {
		t.Errorf("%s: stream id %q, want the publisher's participant id", name, v.StreamID)
	}
}

func TestTeacherReachesThreeStudents(t *testing.T) {
	s := newSFU(t)
	pub, _ := publish(t, s, "lesson-1")
	waitTracks(t, s.Room("lesson-1"), 2)
	students := make([]*client, 3)
	for i := range students {
		students[i] = newClient(t)
		students[i].join(t, s, "lesson-1", "student-"+string(rune('a'+i)), false)
	}
	for i, c := range students {
		checkReceives(t, c, "student "+string(rune('a'+i)))
	}
	time.Sleep(1500 * time.Millisecond) // let a few dozen frames through
	for i, c := range students {
		for _, r := range c.sub.Tracks() {
			st := r.Stats()
			if r.Kind == webrtc.RTPCodecTypeVideo {
				if !st.FirstFrameIsKeyframe || st.Frames < 20 || st.OutOfOrderFrames != 0 {
					t.Errorf("student %d video: %+v", i, st)
				}
				if st.Width != 320 || st.Height != 240 {
					t.Errorf("student %d: keyframe %dx%d, want 320x240", i, st.Width, st.Height)
				}
			}
			if st.Lost != 0 {
				t.Errorf("student %d %s: %d packets lost on loopback", i, r.Kind, st.Lost)
			}
		}
	}
	if pub.PLIs.Load() == 0 {
		t.Error("joining subscribers sent no keyframe request to the publisher")
	}

	// A student leaving does not disturb the others.
	students[0].close()
	before := students[1].sub.WaitTrack(webrtc.RTPCodecTypeVideo, 0).Stats().Frames
	time.Sleep(700 * time.Millisecond)
	after := students[1].sub.WaitTrack(webrtc.RTPCodecTypeVideo, 0).Stats().Frames
	if after-before < 10 {
		t.Fatalf("after a student left, another got only %d frames in 700 ms", after-before)
	}
	if got := len(s.Room("lesson-1").Participants()); got != 3 {
		t.Fatalf("room has %d participants, want 3", got)
	}
}

// TestH264ReachesSubscriber: an H.264 publisher (the recorder's codec) is
// forwarded to a subscriber negotiated onto the same codec, starting at an
// IDR picture.
func TestH264ReachesSubscriber(t *testing.T) {
	s := newSFU(t)
	clip, err := peer.LoadH264(filepath.Join(peer.MediaDir(), "teacher.h264"), 30)
	if err != nil {
		t.Fatal(err)
	}
	api, err := peer.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := peer.NewPublisher(api, clip, peer.Clip{})
	if err != nil {
		t.Fatal(err)
	}
	publishWith(t, s, "lesson-h264", pub)
	waitTracks(t, s.Room("lesson-h264"), 1)
	c := newClient(t)
	c.join(t, s, "lesson-h264", "student", false)
	v := c.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second)
	if v == nil {
		t.Fatal("no video track")
	}
	if !strings.EqualFold(v.MimeType, webrtc.MimeTypeH264) {
		t.Fatalf("subscriber negotiated %s, want the publisher's H.264", v.MimeType)
	}
	if !v.WaitKeyframe(3 * time.Second) {
		t.Fatal("no IDR picture within 3 s")
	}
	time.Sleep(time.Second)
	if st := v.Stats(); !st.FirstFrameIsKeyframe || st.Frames < 15 || st.Lost > 0 {
		t.Fatalf("H.264 video: %+v", st)
	}
}

func TestLateJoinerGetsKeyframeWithinOneSecond(t *testing.T) {
	s := newSFU(t)
	publish(t, s, "lesson-2")
	waitTracks(t, s.Room("lesson-2"), 2)
	time.Sleep(1200 * time.Millisecond) // well into the clip's 1 s GOP
	c := newClient(t)
	start := time.Now()
	c.join(t, s, "lesson-2", "late", false)
	v := c.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 3*time.Second)
	if v == nil {
		t.Fatal("no video track")
	}
	if !v.WaitKeyframe(time.Second) {
		t.Fatalf("no keyframe within 1 s of joining")
	}
	st := v.Stats()
	if !st.FirstFrameIsKeyframe {
		t.Fatal("first frame was not a keyframe")
	}
	t.Logf("join to first keyframe: %v", st.FirstKeyframeAt.Sub(start))
}

func TestStudentMayNotPublish(t *testing.T) {
	s := newSFU(t)
	p, err := s.Join("lesson-3", sfu.ParticipantConfig{ID: "student", Subscribe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Publish("v=0\r\n", nil); err != sfu.ErrForbidden {
		t.Fatalf("publish without permission: %v, want ErrForbidden", err)
	}
}

func TestBadOfferIsRefused(t *testing.T) {
	s := newSFU(t)
	p, err := s.Join("lesson-4", sfu.ParticipantConfig{ID: "teacher", Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, sdp := range []string{"", "not sdp", "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\n"} {
		if _, err := p.Publish(sdp, nil); err == nil {
			t.Errorf("offer %q accepted", sdp)
		}
	}
	if _, err := p.Publish("v=0", map[string]sfu.Source{"x": "webcam"}); err == nil {
		t.Error("unknown source accepted")
	}
}

func TestRoomClosesWhenLastLeaves(t *testing.T) {
	s := newSFU(t)
	a, _ := s.Join("lesson-5", sfu.ParticipantConfig{ID: "a"})
	b, _ := s.Join("lesson-5", sfu.ParticipantConfig{ID: "b"})
	a.Close()
	if s.Room("lesson-5") == nil {
		t.Fatal("room closed while someone was still in it")
	}
	b.Close()
	b.Close() // idempotent
	if s.Room("lesson-5") != nil || s.RoomCount() != 0 {
		t.Fatal("room still open after the last participant left")
	}
}
