package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

func TestMain(m *testing.M) {
	code := pgtest.Run(m)
	os.RemoveAll(testBinDir()) // the lectern binary the multi-node tests built
	os.Exit(code)
}

// migrated returns a fresh PostgreSQL database with Lectern's schema.
func migrated(t *testing.T) string {
	t.Helper()
	url := pgtest.URL(t)
	storetest.Open(t, store.Config{DataDir: t.TempDir(), DatabaseURL: url})
	return url
}

// recorder is a Server that records what a node told it.
type recorder struct {
	mu     sync.Mutex
	moved  []string
	access []string
	ended  []string
	ch     chan string
}

func newRecorder() *recorder { return &recorder{ch: make(chan string, 16)} }

func (r *recorder) Moved(l string) {
	r.mu.Lock()
	r.moved = append(r.moved, l)
	r.mu.Unlock()
	r.ch <- "moved " + l
}

func (r *recorder) AccessChanged(a, c string) {
	r.mu.Lock()
	r.access = append(r.access, a+"/"+c)
	r.mu.Unlock()
	r.ch <- "access " + a + "/" + c
}

func (r *recorder) EndedElsewhere(l, by string) {
	r.mu.Lock()
	r.ended = append(r.ended, l)
	r.mu.Unlock()
	r.ch <- "ended " + l + " " + by
}

// await waits (bounded) for the recorder to hear want.
func (r *recorder) await(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-r.ch:
			if got == want {
				return
			}
		case <-deadline:
			t.Fatalf("never heard %q", want)
		}
	}
}

func newNode(t *testing.T, url, id, public string, load int, ttl time.Duration) *Node {
	t.Helper()
	n, err := New(context.Background(), Config{DatabaseURL: url, ID: id, URL: public, LeaseTTL: ttl,
		Load: func() int { return load }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Close() })
	return n
}

// startTwo starts nodes a and b with these loads and a 3 s lease, and
// returns a's recorder.
func startTwo(t *testing.T, url string, loadA, loadB int) (a, b *Node, ra *recorder) {
	t.Helper()
	a = newNode(t, url, "a", "http://127.0.0.1:1001", loadA, 3*time.Second)
	b = newNode(t, url, "b", "http://127.0.0.1:1002", loadB, 3*time.Second)
	ra = newRecorder()
	a.Start(ra)
	b.Start(newRecorder())
	return a, b, ra
}

// TestPlacementOnLeastLoadedNode: a lesson nobody serves is placed on the
// live node with the fewest participants, every node then routes to it,
// and that node serves it once its heartbeat adopts the lease.
func TestPlacementOnLeastLoadedNode(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	a, b, _ := startTwo(t, url, 7, 2)
	const lesson = "lesson-1"
	target, err := a.Route(ctx, lesson)
	if err != nil {
		t.Fatal(err)
	}
	if target != "http://127.0.0.1:1002" {
		t.Fatalf("a routes to %q, want b's URL", target)
	}
	if a.Serves(lesson) {
		t.Fatal("a serves a lesson placed on b")
	}
	// b learns of its lease on its own (heartbeat) or when asked.
	if target, err := b.Route(ctx, lesson); err != nil || target != "" {
		t.Fatalf("b routes to %q, %v; want itself", target, err)
	}
	if !b.Serves(lesson) {
		t.Fatal("b does not serve its lesson")
	}
	// Placed again from a: same owner, same epoch.
	o, err := a.Place(ctx, lesson)
	if err != nil || o.NodeID != "b" || o.Epoch != 1 {
		t.Fatalf("placing again: %+v, %v", o, err)
	}
	// Bad configuration is refused.
	for _, bad := range []Config{{DatabaseURL: url, URL: "ftp://x"}, {DatabaseURL: url, URL: "http://x/path"},
		{DatabaseURL: url, URL: "http://x", LeaseTTL: time.Millisecond}, {DatabaseURL: url, URL: "http://x", Capacity: -1}} {
		if _, err := New(ctx, bad); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", bad, err)
		}
	}
}

// TestLeaseExpiryReplacesAndFences: when the owner stops beating, its lease
// expires and the next placement moves the lesson to a live node with a
// higher epoch; the old owner, beating again, learns it lost the lesson,
// and its writes are refused.
func TestLeaseExpiryReplacesAndFences(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	ttl := 1500 * time.Millisecond
	a := newNode(t, url, "a", "http://127.0.0.1:1001", 0, ttl)
	b := newNode(t, url, "b", "http://127.0.0.1:1002", 5, ttl)
	rb := newRecorder()
	b.Start(rb)
	const lesson = "lesson-2"
	if target, err := a.Route(ctx, lesson); err != nil || target != "" {
		t.Fatalf("a routes to %q, %v; want itself", target, err)
	}
	st := a.Fence(live.NewMemoryStore())
	if err := st.PutRoomState(ctx, lesson, live.RoomState{StageLimit: 3}); err != nil {
		t.Fatalf("owner's write refused: %v", err)
	}
	// a never beats (not started): it vanishes from placement, its lease
	// expires, and b takes the lesson.
	var o Owner
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		if o, err = b.Place(ctx, lesson); err != nil {
			t.Fatal(err)
		}
		if o.NodeID == "b" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if o.NodeID != "b" || o.Epoch != 2 {
		t.Fatalf("after expiry: %+v, want b at epoch 2", o)
	}
	if a.Serves(lesson) {
		t.Fatal("a still serves after its lease's local deadline")
	}
	// a's stale write is fenced.
	if err := st.PutRoomState(ctx, lesson, live.RoomState{StageLimit: 1}); !errors.Is(err, ErrFenced) {
		t.Fatalf("stale owner's write: %v, want ErrFenced", err)
	}
	ra := newRecorder()
	a.Start(ra)
	if target, err := a.Route(ctx, lesson); err != nil || target != "http://127.0.0.1:1002" {
		t.Fatalf("a routes to %q, %v; want b", target, err)
	}
}

// TestFenceUnderStolenLease: a lease row changed under its owner (stolen
// in SQL) makes the owner's next write fail and the owner drop the lesson
// at once, without waiting for a heartbeat.
func TestFenceUnderStolenLease(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	a := newNode(t, url, "a", "http://127.0.0.1:1001", 0, 30*time.Second)
	ra := newRecorder()
	a.Start(ra)
	const lesson = "lesson-3"
	if _, err := a.Place(ctx, lesson); err != nil {
		t.Fatal(err)
	}
	mem := live.NewMemoryStore()
	st := a.Fence(mem)
	if _, err := st.AppendChat(ctx, live.ChatMessage{LessonID: lesson, SenderUser: "u", Text: "before"}); err != nil {
		t.Fatalf("owner's chat refused: %v", err)
	}
	if _, err := a.pool.Exec(ctx, `UPDATE lesson_leases SET node_id = 'thief', epoch = epoch + 1 WHERE lesson_id = $1`, lesson); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AppendChat(ctx, live.ChatMessage{LessonID: lesson, SenderUser: "u", Text: "after"}); !errors.Is(err, ErrFenced) {
		t.Fatalf("write after the theft: %v, want ErrFenced", err)
	}
	ra.await(t, "moved "+lesson)
	if a.Serves(lesson) {
		t.Fatal("a still serves a stolen lesson")
	}
	msgs, err := mem.ListChat(ctx, live.ChatQuery{LessonID: lesson, Limit: 10})
	if err != nil || len(msgs) != 1 || msgs[0].Text != "before" {
		t.Fatalf("chat after the theft: %+v, %v; want only the message from before", msgs, err)
	}
	// Every write for a lesson never held is refused without asking.
	const other = "other"
	writes := map[string]func() error{
		"AppendChat": func() error {
			_, err := st.AppendChat(ctx, live.ChatMessage{LessonID: other, SenderUser: "u", Text: "x"})
			return err
		},
		"AppendChats": func() error {
			_, err := st.AppendChats(ctx, []live.ChatMessage{{LessonID: other, SenderUser: "u", Text: "x"}})
			return err
		},
		"DeleteChat":    func() error { return st.DeleteChat(ctx, other, 1) },
		"PutQuestion":   func() error { return st.PutQuestion(ctx, live.Question{LessonID: other, ID: "q"}) },
		"PutPoll":       func() error { return st.PutPoll(ctx, live.Poll{LessonID: other, ID: "p"}) },
		"PutVote":       func() error { return st.PutVote(ctx, live.Vote{LessonID: other, PollID: "p", UserID: "u"}) },
		"PutAttendance": func() error { return st.PutAttendance(ctx, live.Attendance{LessonID: other, ParticipantID: "p"}) },
		"PutRoomState":  func() error { return st.PutRoomState(ctx, other, live.RoomState{}) },
		"AppendSlideEvent": func() error {
			return st.AppendSlideEvent(ctx, live.SlideEvent{LessonID: other, MaterialID: "m", Page: 1})
		},
	}
	// A method added to live.Store is either a read or belongs above
	// (and in fence.go).
	reads := map[string]bool{"GetChat": true, "ListChat": true, "ListQuestions": true, "ListPolls": true,
		"ListVotes": true, "ListAttendance": true, "RoomState": true, "SlideEvents": true}
	storeType := reflect.TypeFor[live.Store]()
	for i := range storeType.NumMethod() {
		if name := storeType.Method(i).Name; !reads[name] && writes[name] == nil {
			t.Errorf("live.Store.%s is neither a known read nor checked as a fenced write", name)
		}
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, ErrFenced) {
			t.Errorf("%s for a lesson not held: %v, want ErrFenced", name, err)
		}
	}
}

// TestSignalsCrossNodes: an access change decided on one node and a
// lesson ended on a node that does not own it reach the other node.
func TestSignalsCrossNodes(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	a, b, ra := startTwo(t, url, 0, 9)
	const lesson = "lesson-4"
	if _, err := a.Place(ctx, lesson); err != nil { // a: least loaded
		t.Fatal(err)
	}
	local := newRecorder()
	fan := b.AccessListener(local)
	// The listener connects asynchronously: send until a hears (bounded).
	heard := false
	for i := 0; i < 40 && !heard; i++ {
		fan.AccessChanged("acct-1", "course-1")
		select {
		case got := <-ra.ch:
			heard = got == "access acct-1/course-1"
		case <-time.After(250 * time.Millisecond):
		}
	}
	if !heard {
		t.Fatal("a never heard b's access change")
	}
	local.await(t, "access acct-1/course-1")
	b.Ended(lesson, "teacher-1")
	ra.await(t, "ended "+lesson+" teacher-1")
	// The owner ends it itself: the lease is released, not signalled.
	a.Ended(lesson, "teacher-1")
	if a.Serves(lesson) {
		t.Fatal("a serves an ended lesson")
	}
	// and stays released through the owner's next heartbeats.
	time.Sleep(2 * time.Second)
	o, valid, err := a.lease(ctx, lesson)
	if err != nil || valid || a.Serves(lesson) {
		t.Fatalf("lease after the end: %+v valid=%v serves=%v %v", o, valid, a.Serves(lesson), err)
	}
}

// TestRenewalFailureDropsLessons: a node whose database stops answering
// keeps its lessons until 3/4 of the lease TTL after its last renewal,
// then stops serving them (Moved) on its own.
func TestRenewalFailureDropsLessons(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	a := newNode(t, url, "a", "http://127.0.0.1:1001", 0, 1200*time.Millisecond)
	ra := newRecorder()
	const lesson = "lesson-5"
	if _, err := a.Place(ctx, lesson); err != nil {
		t.Fatal(err)
	}
	a.Start(ra)
	if !a.Serves(lesson) {
		t.Fatal("a does not serve its lesson")
	}
	cut := time.Now()
	a.pool.Close() // every renewal fails from now on
	ra.await(t, "moved "+lesson)
	t.Logf("dropped %v after the database went away (lease 1.2 s)", time.Since(cut).Round(time.Millisecond))
	if a.Serves(lesson) {
		t.Fatal("a still serves without renewing")
	}
}

// TestSignalsSurviveListenerLoss: when the listening connection dies (as
// in a PostgreSQL restart), the node listens again and later signals
// arrive.
func TestSignalsSurviveListenerLoss(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	a := newNode(t, url, "a", "http://127.0.0.1:1001", 0, 3*time.Second)
	b := newNode(t, url, "b", "http://127.0.0.1:1002", 0, 3*time.Second)
	ra := newRecorder()
	a.Start(ra)
	fan := b.AccessListener(newRecorder())
	hears := func(account string) bool {
		for i := 0; i < 40; i++ {
			fan.AccessChanged(account, "")
			select {
			case got := <-ra.ch:
				if got == "access "+account+"/" {
					return true
				}
			case <-time.After(250 * time.Millisecond):
			}
		}
		return false
	}
	if !hears("before") {
		t.Fatal("a never heard b")
	}
	tag, err := b.pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query = 'LISTEN lectern_cluster' AND pid <> pg_backend_pid()`)
	if err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("terminating the listener: %v, %d rows", err, tag.RowsAffected())
	}
	if !hears("after") {
		t.Fatal("a stopped hearing after its listening connection was killed")
	}
}

// TestPlacementRespectsCapacity: a node at its capacity takes no new
// lesson; when every node is full, placement fails with ErrNoNode.
func TestPlacementRespectsCapacity(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	mk := func(id, public string, capacity, load int) *Node {
		n, err := New(ctx, Config{DatabaseURL: url, ID: id, URL: public, Capacity: capacity, Load: func() int { return load }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = n.Close() })
		return n
	}
	full := mk("full", "http://127.0.0.1:1001", 10, 10)
	mk("busy", "http://127.0.0.1:1002", 0, 50)
	o, err := full.Place(ctx, "lesson-6")
	if err != nil || o.NodeID != "busy" {
		t.Fatalf("placed on %+v, %v; want the busy node with no limit, not the full one", o, err)
	}
	if _, err := full.pool.Exec(ctx, `UPDATE cluster_nodes SET capacity = 50 WHERE id = 'busy'`); err != nil {
		t.Fatal(err)
	}
	if _, err := full.Place(ctx, "lesson-7"); !errors.Is(err, ErrNoNode) {
		t.Fatalf("every node full: %v, want ErrNoNode", err)
	}
}

// TestEndedRacesRenewal: a lease released while the owner's heartbeat is
// renewing stays released. Each round ends a lesson at the same moment a
// heartbeat runs; a renewal that began first must not extend the lease
// the release just ended, nor give it back to the node.
func TestEndedRacesRenewal(t *testing.T) {
	url := migrated(t)
	ctx := context.Background()
	a := newNode(t, url, "a", "http://127.0.0.1:1001", 0, 30*time.Second)
	a.Start(newRecorder())
	// Many held leases make each renewal long enough to overlap a release.
	for i := range 300 {
		if _, err := a.Place(ctx, fmt.Sprintf("held-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	const rounds = 150
	for i := range rounds {
		lesson := fmt.Sprintf("race-%d", i)
		if _, err := a.Place(ctx, lesson); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); a.beat() }()
		go func() { defer wg.Done(); a.Ended(lesson, "teacher-1") }()
		wg.Wait()
		a.beat()
		o, valid, err := a.lease(ctx, lesson)
		if err != nil || valid || a.Serves(lesson) {
			t.Fatalf("round %d: lease after the end: %+v valid=%v serves=%v %v", i, o, valid, a.Serves(lesson), err)
		}
	}
}
