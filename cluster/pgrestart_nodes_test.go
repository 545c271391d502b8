package cluster_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/signaling"
	"github.com/pion/webrtc/v4"
)

// TestThreeNodesPostgresRestart restarts PostgreSQL under a live lesson
// on three `lectern serve` processes (on a PostgreSQL of the test's own),
// once for less time than the lease TTL and once for longer, and checks
// what the teacher and a student need once the database is back:
//
//   - every node beats again (its pool recovers);
//   - the teacher and the student are served again, on the one node
//     holding the lesson's valid lease (after a "moved" and a rejoin if
//     their node had stopped serving: never any other close), and the
//     student receives the teacher's video again within 20 s;
//   - the other nodes answer a join with "moved" to that owner, so no node
//     serves the lesson without its lease;
//   - chat works again, and each message, before and after, is stored
//     once;
//   - the NOTIFY listener is back: the lesson ended by REST on a node
//     that does not own it closes the teacher's session on the owner
//     (4011), which only the owner's listener can have caused.
func TestThreeNodesPostgresRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		ttl  string        // --lease-ttl
		down time.Duration // PostgreSQL stopped this long
	}{
		{"shorter than the lease", "6s", 1500 * time.Millisecond},
		{"longer than the lease", "2s", 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) { pgRestart(t, tc.ttl, tc.down) })
	}
}

// attendee is a teacher or a student of the restarted lesson, joining
// through the usual path (ask a node, follow "moved").
type attendee struct {
	name  string
	tok   string
	c     *peer.Client
	at    string           // the WebSocket URL it joined at
	sub   *peer.Subscriber // a student's media
	moves int              // sessions closed with "moved"
}

// join joins (the teacher publishes its camera and microphone).
func (a *attendee) join(t *testing.T, ctx context.Context, nodes []*node, teacher bool) {
	t.Helper()
	if teacher {
		a.c, a.at = teach(t, ctx, nodes, a.tok, time.Now().Add(20*time.Second))
		return
	}
	a.sub = peer.Viewer(t)
	c, at, err := rejoin(ctx, nodes, a.tok, time.Now().Add(20*time.Second), a.sub)
	if err != nil {
		t.Fatal(a.name, err)
	}
	t.Cleanup(c.Close)
	a.c, a.at = c, at
}

// comeBack rejoins if the session was closed; only "moved" is a close a
// database restart may cause.
func (a *attendee) comeBack(t *testing.T, ctx context.Context, nodes []*node, teacher bool) {
	t.Helper()
	if !isDone(a.c) {
		return
	}
	if st := a.c.CloseStatus(); st != signaling.CloseMoved {
		t.Fatalf("%s's session closed with %d (%s) after the restart, want %d moved", a.name, st, a.c.CloseReason(), signaling.CloseMoved)
	}
	a.moves++
	a.join(t, ctx, nodes, teacher)
}

func isDone(c *peer.Client) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

// receiving reports whether sub's video keeps coming: at least 5 new
// frames within limit.
func receiving(sub *peer.Subscriber, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	r := sub.WaitTrack(webrtc.RTPCodecTypeVideo, limit)
	if r == nil {
		return false
	}
	base := r.Stats().Frames
	for time.Now().Before(deadline) {
		if r.Stats().Frames >= base+5 {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

func pgRestart(t *testing.T, ttl string, down time.Duration) {
	pg := pgtest.Own(t)
	c := startThreeOn(t, pg.Database(t), "--lease-ttl", ttl)
	nodes := c.nodes
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, _ := openStore(t, ctx, c.dbURL)
	tch, _, _, lesson, tj, sj := classWithStudent(t, st, nodes)
	teacher := &attendee{name: "teacher", tok: tj.Token}
	student := &attendee{name: "student", tok: sj.Token}
	teacher.join(t, ctx, nodes, true)
	student.join(t, ctx, nodes, false)
	if !seesVideo(student.sub, 20*time.Second) {
		t.Fatal("the student receives no video before the restart")
	}
	mustOK(t, ctx, student.c, live.MsgChatSend, live.ChatSend{Text: "before the restart"})

	// query runs one statement on a fresh connection (the test's own ones
	// do not survive the restart either).
	query := func(sql string, args []any, dest ...any) error {
		conn, err := pgx.Connect(ctx, c.dbURL)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		return conn.QueryRow(ctx, sql, args...).Scan(dest...)
	}
	chats := func(text string) int {
		var n int
		if err := query(`SELECT COUNT(*) FROM live_chat WHERE lesson_id = $1 AND body = $2`, []any{lesson.ID, text}, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, 10*time.Second, "the chat message before the restart stored", func() bool { return chats("before the restart") == 1 })
	var epochBefore int64
	if err := query(`SELECT epoch FROM lesson_leases WHERE lesson_id = $1`, []any{lesson.ID}, &epochBefore); err != nil {
		t.Fatal(err)
	}

	if err := pg.Restart(ctx, down); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	var dbBack time.Time
	if err := query(`SELECT now()`, nil, &dbBack); err != nil {
		t.Fatal("PostgreSQL after the restart:", err)
	}

	// Every node beats again.
	waitFor(t, 15*time.Second, "every node's heartbeat after the restart", func() bool {
		var n int
		return query(`SELECT COUNT(*) FROM cluster_nodes WHERE heartbeat_at > $1`, []any{dbBack}, &n) == nil && n == 3
	})
	t.Logf("heartbeats resumed %v after PostgreSQL was back", time.Since(back).Round(time.Millisecond))

	// The teacher and the student are served again (after a "moved" if
	// their node stopped serving), and the student receives video.
	for !receiving(student.sub, 2*time.Second) || isDone(teacher.c) || isDone(student.c) {
		if time.Since(back) > 20*time.Second {
			t.Fatalf("the student receives no video 20 s after PostgreSQL was back (teacher moved %d×, student %d×)", teacher.moves, student.moves)
		}
		teacher.comeBack(t, ctx, nodes, true)
		student.comeBack(t, ctx, nodes, false)
	}
	t.Logf("student receiving video %v after PostgreSQL was back (down %v; teacher moved %d×, student %d×)",
		time.Since(back).Round(time.Millisecond), down, teacher.moves, student.moves)

	// One owner: the node holding the valid lease serves both; the others
	// send a join there.
	var ownerURL string
	var epoch int64
	if err := query(`SELECT c.url, l.epoch FROM lesson_leases l JOIN cluster_nodes c ON c.id = l.node_id
		WHERE l.lesson_id = $1 AND l.expires_at > now()`, []any{lesson.ID}, &ownerURL, &epoch); err != nil {
		t.Fatal("the lesson's valid lease after the restart:", err)
	}
	own, others := c.split(ownerURL)
	if own == nil || teacher.at != own.ws() || student.at != own.ws() {
		t.Fatalf("lease at %q (epoch %d); the teacher is at %s, the student at %s", ownerURL, epoch, teacher.at, student.at)
	}
	if epoch != epochBefore && teacher.moves+student.moves == 0 {
		t.Errorf("the lease went from epoch %d to %d and nobody was moved: the old owner kept its sessions", epochBefore, epoch)
	}
	t.Logf("lesson on %s at epoch %d (was %d)", own.url, epoch, epochBefore)
	for _, n := range others {
		if url, err := movedAt(ctx, n.ws(), student.tok); err != nil || url != own.ws() {
			t.Fatalf("join at %s after the restart: %q, %v; want moved to the owner %s", n.url, url, err, own.ws())
		}
	}

	// Chat works again; every message is stored once.
	mustOK(t, ctx, student.c, live.MsgChatSend, live.ChatSend{Text: "after the restart"})
	waitFor(t, 10*time.Second, "the chat message after the restart stored", func() bool { return chats("after the restart") >= 1 })
	time.Sleep(500 * time.Millisecond) // a duplicate write would land by now
	for _, text := range []string{"before the restart", "after the restart"} {
		if n := chats(text); n != 1 {
			t.Errorf("chat %q stored %d times, want once", text, n)
		}
	}

	// A signal between nodes after the restart: ended by REST on a node
	// that does not serve the lesson, it reaches the owner's listener.
	tch.must(others[0], "POST", "/api/v1/lessons/"+lesson.ID+"/status", map[string]string{"status": "ended"}, http.StatusOK, nil)
	awaitClose(t, teacher.c, signaling.CloseLessonEnded, "the teacher after the lesson ended on another node")
}
