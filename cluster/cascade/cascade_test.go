package cascade_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern/lectern/cluster"
	"github.com/lectern/lectern/cluster/cascade"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
	"github.com/pion/webrtc/v4"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

var secret = []byte("0123456789abcdef0123456789abcdef")

func migrated(t *testing.T) string {
	t.Helper()
	url := pgtest.URL(t)
	storetest.Open(t, store.Config{DataDir: t.TempDir(), DatabaseURL: url})
	return url
}

type nopServer struct{}

func (nopServer) Moved(string)                  {}
func (nopServer) AccessChanged(string, string)  {}
func (nopServer) EndedElsewhere(string, string) {}

func newNode(t *testing.T, url, id, public string, load int) *cluster.Node {
	t.Helper()
	n, err := cluster.New(context.Background(), cluster.Config{DatabaseURL: url, ID: id, URL: public, Load: func() int { return load }})
	if err != nil {
		t.Fatal(err)
	}
	n.Start(nopServer{})
	t.Cleanup(func() { _ = n.Close() })
	return n
}

// newSFU is the tests' loopback SFU.
var newSFU = peer.SFU

// student is a subscriber in one SFU room, answering its offers in order.
type student struct {
	sfu.NopListener
	t    testing.TB
	sub  *peer.Subscriber
	part *sfu.Participant
	work chan func()
	wg   sync.WaitGroup
}

func join(t testing.TB, s *sfu.SFU, room, id string) *student {
	t.Helper()
	api, err := peer.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	return joinWith(t, s, room, id, api)
}

// joinWith is join with the student's own Pion API.
func joinWith(t testing.TB, s *sfu.SFU, room, id string, api *webrtc.API) *student {
	t.Helper()
	sub, err := peer.NewSubscriber(api)
	if err != nil {
		t.Fatal(err)
	}
	c := &student{t: t, sub: sub, work: make(chan func(), 64)}
	ready := make(chan struct{})
	c.work <- func() { <-ready }
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for f := range c.work {
			f()
		}
	}()
	t.Cleanup(func() {
		c.part.Close()
		close(c.work)
		c.wg.Wait()
		sub.Close()
	})
	p, err := s.Join(room, sfu.ParticipantConfig{ID: id, Subscribe: true, Listener: c})
	if err != nil {
		t.Fatal(err)
	}
	c.part = p
	close(ready)
	return c
}

func (c *student) SubscribeOffer(sdp string, _ map[string]sfu.TrackInfo) {
	c.work <- func() {
		if err := c.sub.AnswerIn(c.part, sdp); err != nil {
			c.t.Errorf("answer: %v", err)
		}
	}
}

// teach publishes the test teacher's camera and microphone in room.
func teach(t testing.TB, s *sfu.SFU, room string) {
	t.Helper()
	pub, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	teachWith(t, s, room, pub)
}

// teachWith publishes pub's camera and microphone in room as the teacher.
func teachWith(t testing.TB, s *sfu.SFU, room string, pub *peer.Publisher) {
	t.Helper()
	t.Cleanup(pub.Close)
	peer.PublishesTo(t, teacherIn(t, s, room), pub.PC, pub.Sources())
	pub.Start()
}

// teacherIn joins the teacher, who publishes, to room.
func teacherIn(t testing.TB, s *sfu.SFU, room string) *sfu.Participant {
	t.Helper()
	part, err := s.Join(room, sfu.ParticipantConfig{ID: "teacher", Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(part.Close)
	return part
}

// TestCascadeRelaysTeacherToEdgeStudents: two nodes on one PostgreSQL;
// the lesson is placed on the origin, where the teacher publishes; the
// edge finds the origin through the lease and relays it; three students
// on the edge receive the teacher's video and sound with no loss, and
// exactly one stream per track crosses between the nodes; the relayed
// tracks are shown as the teacher's.
func TestCascadeRelaysTeacherToEdgeStudents(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	const lesson = "lesson-cascade"

	originSFU, edgeSFU := newSFU(t), newSFU(t)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a := newNode(t, url, "origin", srv.URL, 0)
	b := newNode(t, url, "edge", "http://127.0.0.1:1", 10)
	origin := cascade.NewOrigin(originSFU, secret, cascade.WithServes(a.Serves))
	mux.Handle(cascade.RelayPath, origin)

	if o, err := a.Place(ctx, lesson); err != nil || o.NodeID != "origin" {
		t.Fatalf("placed on %+v, %v; want the origin", o, err)
	}
	teach(t, originSFU, lesson)
	peer.WaitTracks(t, originSFU, lesson, 2)

	// The edge learns the origin from the lease.
	o, err := b.Place(ctx, lesson)
	if err != nil || o.NodeID != "origin" || o.URL != srv.URL {
		t.Fatalf("edge sees owner %+v, %v", o, err)
	}
	relay, err := cascade.Dial(ctx, cascade.EdgeConfig{SFU: edgeSFU, Secret: secret, NodeID: "edge",
		OriginID: o.NodeID, OriginURL: o.URL}, lesson)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = relay.Close() })

	var students []*student
	for i := range 3 {
		students = append(students, join(t, edgeSFU, lesson, "student-"+string(rune('a'+i))))
	}
	for i, s := range students {
		v := s.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 10*time.Second)
		au := s.sub.WaitTrack(webrtc.RTPCodecTypeAudio, 10*time.Second)
		if v == nil || au == nil {
			t.Fatalf("student %d: video %v audio %v", i, v != nil, au != nil)
		}
		if !v.WaitKeyframe(5*time.Second) || !au.WaitPacket(5*time.Second) {
			t.Fatalf("student %d: no keyframe or no sound", i)
		}
	}
	time.Sleep(2 * time.Second)
	for i, s := range students {
		for _, r := range s.sub.Tracks() {
			st := r.Stats()
			if st.Lost != 0 {
				t.Errorf("student %d %s: %d packets lost through the cascade", i, r.Kind, st.Lost)
			}
			if r.Kind == webrtc.RTPCodecTypeVideo && (st.Frames < 20 || !st.FirstFrameIsKeyframe) {
				t.Errorf("student %d: %d frames, first a keyframe %v", i, st.Frames, st.FirstFrameIsKeyframe)
			}
		}
	}

	// One relay on the origin whatever the edge's audience; on the edge,
	// one single-layer track per origin track, and no more packets than
	// the origin received from the teacher (three copies would be more).
	or, er := originSFU.Room(lesson), edgeSFU.Room(lesson)
	if n := len(or.Participants()); n != 2 {
		t.Errorf("origin room has %d participants, want the teacher and one relay", n)
	}
	relayed := er.Tracks()
	if len(relayed) != 2 {
		t.Fatalf("edge room has %d tracks, want 2", len(relayed))
	}
	sent := map[webrtc.RTPCodecType]uint64{}
	for _, tr := range or.Tracks() {
		sent[tr.Kind()] = tr.PacketsReceived()
	}
	for _, tr := range relayed {
		if tr.Owner() != relay.Participant() || tr.Simulcast() {
			t.Errorf("edge track %s: owner %s, simulcast %v", tr.ID(), tr.Owner().ID(), tr.Simulcast())
		}
		if id := tr.Info().ParticipantID; id != "teacher" {
			t.Errorf("edge track %s is shown as %q's, want the teacher's", tr.ID(), id)
		}
		if got := tr.PacketsReceived(); got == 0 || got > sent[tr.Kind()] {
			t.Errorf("edge %s track got %d packets from the origin, which got %d from the teacher", tr.Kind(), got, sent[tr.Kind()])
		}
	}
}

// TestRelayRefused: a relay signed with another secret, or asked of a
// node that does not hold the lesson's lease, is refused with its reason.
func TestRelayRefused(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	originSFU, edgeSFU := newSFU(t), newSFU(t)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a := newNode(t, url, "a", srv.URL, 0)
	mux.Handle(cascade.RelayPath, cascade.NewOrigin(originSFU, secret, cascade.WithServes(a.Serves)))

	cfg := cascade.EdgeConfig{SFU: edgeSFU, Secret: secret, NodeID: "edge", OriginID: "a", OriginURL: srv.URL}
	if _, err := cascade.Dial(ctx, cfg, "not-placed"); !errors.Is(err, cascade.ErrNotOrigin) {
		t.Errorf("relay of a lesson the node does not serve: %v, want ErrNotOrigin", err)
	}
	if _, err := a.Place(ctx, "placed"); err != nil {
		t.Fatal(err)
	}
	bad := cfg
	bad.Secret = []byte("another secret of thirty-two bytes")
	if _, err := cascade.Dial(ctx, bad, "placed"); !errors.Is(err, cascade.ErrUnauthorized) {
		t.Errorf("relay with a wrong secret: %v, want ErrUnauthorized", err)
	}
	if r := edgeSFU.Room("placed"); r != nil && len(r.Participants()) != 0 {
		t.Errorf("a refused relay left %d participants on the edge", len(r.Participants()))
	}
	r, err := cascade.Dial(ctx, cfg, "placed")
	if err != nil {
		t.Fatalf("a signed relay of a served lesson: %v", err)
	}
	if err := r.Close(); err != nil || !errors.Is(r.Err(), cascade.ErrClosed) {
		t.Errorf("close: %v, err %v", err, r.Err())
	}
}

// TestRelayEndsWhenOriginLosesLesson: an origin that stops serving the
// lesson (lease lost) ends its relays, and the edge's relay participant
// leaves with them, saying why.
func TestRelayEndsWhenOriginLosesLesson(t *testing.T) {
	f := newFlipOrigin(t)
	originSFU, edgeSFU, origin, serving, srv := f.sfu, newSFU(t), f.origin, &f.serving, f.srv
	r, err := cascade.Dial(context.Background(), cascade.EdgeConfig{SFU: edgeSFU, Secret: secret, NodeID: "edge",
		OriginID: "origin", OriginURL: srv.URL}, "l")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	peer.WaitTracks(t, edgeSFU, "l", 2)
	serving.Store(false)
	select {
	case <-r.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the relay outlived its origin's lease")
	}
	if !errors.Is(r.Err(), cascade.ErrNotOrigin) {
		t.Errorf("relay ended with %v, want ErrNotOrigin", r.Err())
	}
	if room := edgeSFU.Room("l"); room != nil && len(room.Tracks()) != 0 {
		t.Errorf("the edge still has %d relayed tracks", len(room.Tracks()))
	}
	origin.Wait()
	if n := len(originSFU.Room("l").Participants()); n != 1 {
		t.Errorf("origin room has %d participants, want the teacher alone", n)
	}
}

// TestEdgeKeepsOneRelayPerLesson: many students of an edge asking at once
// get one relay; once it has ended (the origin lost the lesson) the next
// ask locates the origin again and dials a new one; the origin node itself
// is refused.
func TestEdgeKeepsOneRelayPerLesson(t *testing.T) {
	f := newFlipOrigin(t)
	originSFU, edgeSFU, serving, srv := f.sfu, newSFU(t), &f.serving, f.srv
	var located atomic.Int32
	edge := cascade.NewEdge(cascade.EdgeConfig{SFU: edgeSFU, Secret: secret, NodeID: "edge"},
		func(_ context.Context, l string) (string, string, error) {
			located.Add(1)
			if l == "mine" {
				return "edge", "http://127.0.0.1:1", nil
			}
			return "origin", srv.URL, nil
		})
	t.Cleanup(func() { _ = edge.Close() })

	relays := make([]*cascade.Relay, 5)
	var wg sync.WaitGroup
	for i := range relays {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := edge.Ensure(context.Background(), "l")
			if err != nil {
				t.Error(err)
			}
			relays[i] = r
		}()
	}
	wg.Wait()
	for _, r := range relays[1:] {
		if r != relays[0] {
			t.Fatal("concurrent asks got different relays")
		}
	}
	if n := located.Load(); n != 1 {
		t.Errorf("origin located %d times for one relay", n)
	}
	// The origin joins the relay to its room just after accepting it.
	for deadline := time.Now().Add(5 * time.Second); len(originSFU.Room("l").Participants()) < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // a second relay would show by now
	if n := len(originSFU.Room("l").Participants()); n != 2 {
		t.Errorf("origin room has %d participants, want the teacher and one relay", n)
	}

	serving.Store(false)
	select {
	case <-relays[0].Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the relay outlived its origin's lease")
	}
	serving.Store(true)
	r, err := edge.Ensure(context.Background(), "l")
	if err != nil || r == relays[0] {
		t.Fatalf("after the relay ended: %v, same relay %v", err, r == relays[0])
	}
	if n := located.Load(); n != 2 {
		t.Errorf("origin located %d times, want again for the new relay", n)
	}
	peer.WaitTracks(t, edgeSFU, "l", 2)

	if _, err := edge.Ensure(context.Background(), "mine"); !errors.Is(err, cascade.ErrSelf) {
		t.Errorf("relay of a lesson this node serves: %v, want ErrSelf", err)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("the new relay ended on its own: %v", err)
	}
	edge.Stop("l")
	if !errors.Is(r.Err(), cascade.ErrClosed) {
		t.Errorf("after Stop the relay says %v", r.Err())
	}
}

// flipOrigin is an origin node without a cluster, whose lease a test
// takes away by clearing serving; the teacher publishes lesson "l" there.
type flipOrigin struct {
	sfu     *sfu.SFU
	origin  *cascade.Origin
	serving atomic.Bool
	srv     *httptest.Server
}

func newFlipOrigin(t *testing.T) *flipOrigin {
	t.Helper()
	f := &flipOrigin{sfu: newSFU(t)}
	f.serving.Store(true)
	f.origin = cascade.NewOrigin(f.sfu, secret,
		cascade.WithServes(func(string) bool { return f.serving.Load() }), cascade.WithRecheck(50*time.Millisecond))
	mux := http.NewServeMux()
	mux.Handle(cascade.RelayPath, f.origin)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	teach(t, f.sfu, "l")
	peer.WaitTracks(t, f.sfu, "l", 2)
	return f
}

// TestRelayEndsWithOriginRoom: when the lesson's room closes on the origin
// (the lesson ended there), the relay ends and leaves the edge's room.
func TestRelayEndsWithOriginRoom(t *testing.T) {
	f := newFlipOrigin(t)
	edgeSFU := newSFU(t)
	r, err := cascade.Dial(context.Background(), cascade.EdgeConfig{SFU: edgeSFU, Secret: secret, NodeID: "edge",
		OriginID: "origin", OriginURL: f.srv.URL}, "l")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	peer.WaitTracks(t, edgeSFU, "l", 2)
	f.sfu.Room("l").Close()
	select {
	case <-r.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the relay outlived the origin's room")
	}
	if !errors.Is(r.Err(), cascade.ErrMediaEnded) {
		t.Errorf("relay ended with %v, want ErrMediaEnded", r.Err())
	}
	if room := edgeSFU.Room("l"); room != nil && len(room.Participants()) != 0 {
		t.Errorf("the edge room still has %d participants", len(room.Participants()))
	}
}

// TestOriginCloseEndsItsRelays: an origin's Close (the node shutting
// down) ends the relays it serves and waits for them: when it returns the
// relay has left the origin's room; the edge's relay ends; a new relay is
// refused; a second Close returns at once.
func TestOriginCloseEndsItsRelays(t *testing.T) {
	f := newFlipOrigin(t)
	edgeSFU := newSFU(t)
	cfg := cascade.EdgeConfig{SFU: edgeSFU, Secret: secret, NodeID: "edge", OriginID: "origin", OriginURL: f.srv.URL}
	r, err := cascade.Dial(context.Background(), cfg, "l")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	peer.WaitTracks(t, edgeSFU, "l", 2)
	closed := make(chan error, 1)
	go func() { closed <- f.origin.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the origin's Close did not return with a relay open")
	}
	if n := len(f.sfu.Room("l").Participants()); n != 1 {
		t.Errorf("after Close the origin's room has %d participants, want the teacher alone", n)
	}
	select {
	case <-r.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the edge's relay outlived its origin's Close")
	}
	if _, err := cascade.Dial(context.Background(), cfg, "l"); err == nil {
		t.Error("a closed origin accepted a relay")
	}
	if err := f.origin.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}
