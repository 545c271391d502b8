package cluster_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// TestThreeNodes runs three `lectern serve` processes on one PostgreSQL:
//
//   - placement: a lesson is placed on one node; a second lesson goes to a
//     node with fewer participants than the first one's owner;
//   - routing: a WebSocket join at another node is answered "moved" with
//     the owner's URL and close code 4012; WHIP and WHEP get 307 to the
//     owner, and a real WHEP player following the redirect plays there;
//   - failover: the owner is SIGKILLed while students hold two hands and
//     a stage place; every student is back on another node within 10 s,
//     through its usual path (ask a node, follow "moved", retry), with
//     its participant id, hand position and stage place;
//   - fencing: the new owner's lease row is stolen in SQL; the owner stops
//     serving at once (4012), a chat message sent then is not stored, and
//     the students come back again with their places.
func TestThreeNodes(t *testing.T) {
	c := startThree(t)
	nodes, signer, dbURL := c.nodes, c.signer, c.dbURL
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	byURL := func(u string) *node { return c.byURL(t, u) }
	owner := func(lesson string) (string, int64) {
		t.Helper()
		var url string
		var epoch int64
		if err := db.QueryRow(ctx, `SELECT c.url, l.epoch FROM lesson_leases l JOIN cluster_nodes c ON c.id = l.node_id
			WHERE l.lesson_id = $1`, lesson).Scan(&url, &epoch); err != nil {
			t.Fatalf("lease of %s: %v", lesson, err)
		}
		return url, epoch
	}

	lesson := uuid.NewString()
	tch := operatorToken(t, signer, lesson, "teacher", token.RoleTeacher)
	students := []string{"s1", "s2", "s3"}
	toks := map[string]string{}
	for _, s := range students {
		toks[s] = operatorToken(t, signer, lesson, s, token.RoleStudent)
	}

	// Placement: the teacher asks the first node and is sent to the owner.
	teacher, at := teach(t, ctx, nodes[:1], tch, time.Now().Add(20*time.Second))
	ownerURL, epoch := owner(lesson)
	if byURL(at) != byURL(ownerURL) || epoch != 1 {
		t.Fatalf("teacher joined at %s; lease: %s epoch %d", at, ownerURL, epoch)
	}
	own, others := c.split(ownerURL)
	t.Logf("lesson placed on %s", own.url)

	// Routing at a node that does not own the lesson.
	for _, n := range others {
		if url, err := movedAt(ctx, n.ws(), toks["s1"]); err != nil || url != own.ws() {
			t.Fatalf("join at %s: %q, %v; want moved to %s", n.url, url, err, own.ws())
		}
	}
	for _, tc := range []struct{ kind, tok string }{{"whip", tch}, {"whep", toks["s1"]}} {
		resp, _, err := peer.PostSDP(ctx, noRedirect, others[0].url+"/"+tc.kind+"/"+lesson, tc.tok, "v=0\r\n", nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := own.url + "/" + tc.kind + "/" + lesson; resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != want {
			t.Fatalf("%s at a non-owner: %d Location %q, want 307 to %s", tc.kind, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	whepThroughRedirect(t, ctx, others[1].url+"/whep/"+lesson, toks["s2"], own.url)

	// Students take places on the owner.
	clients := map[string]*peer.Client{}
	sub := peer.Viewer(t)
	for _, s := range students {
		var ss *peer.Subscriber
		if s == "s1" {
			ss = sub
		}
		c, _, err := rejoin(ctx, others, toks[s], time.Now().Add(20*time.Second), ss)
		if err != nil {
			t.Fatal(s, err)
		}
		clients[s] = c
	}
	if !seesVideo(sub, 20*time.Second) {
		t.Fatal("s1 receives no video from the teacher on the owner")
	}
	mustOK(t, ctx, clients["s1"], live.MsgHandRaise, struct{}{})
	mustOK(t, ctx, clients["s2"], live.MsgHandRaise, struct{}{})
	mustOK(t, ctx, teacher, live.MsgStageInvite, live.StageInvite{ParticipantID: clients["s3"].Joined.Participant.ID})
	mustOK(t, ctx, clients["s3"], live.MsgStageAccept, struct{}{})
	pids := map[string]string{}
	for s, c := range clients {
		pids[s] = c.Joined.Participant.ID
	}

	// A second lesson goes to a less loaded node once the owner's
	// heartbeat has counted its participants.
	waitFor(t, 15*time.Second, "the owner's load in the registry", func() bool {
		var load int
		_ = db.QueryRow(ctx, `SELECT load FROM cluster_nodes WHERE url = $1`, own.url).Scan(&load)
		return load >= 4
	})
	lesson2 := uuid.NewString()
	c2, at2, err := rejoin(ctx, []*node{own}, operatorToken(t, signer, lesson2, "t2", token.RoleTeacher), time.Now().Add(20*time.Second), nil)
	if err != nil {
		t.Fatal(err)
	}
	c2.Close()
	if byURL(at2) == own {
		t.Fatalf("second lesson placed on the loaded owner %s", own.url)
	}

	// Failover: the owner dies.
	for _, c := range clients {
		defer c.Close()
	}
	teacher.Close()
	killed := time.Now()
	stale := staleHops.Load()
	own.kill()
	// The teacher comes back and publishes again; s1 receives again.
	sub2 := peer.Viewer(t)
	media := make(chan time.Duration, 1)
	go func() {
		if seesVideo(sub2, 30*time.Second) {
			media <- time.Since(killed)
		}
		close(media)
	}()
	teach(t, ctx, others, tch, killed.Add(20*time.Second))
	back := rejoinAll(t, ctx, others, students, toks, killed, 10*time.Second, map[string]*peer.Subscriber{"s1": sub2})
	if d, ok := <-media; !ok {
		t.Fatal("s1 receives no video after the failover")
	} else {
		t.Logf("failover: owner killed → s1 receiving the teacher's video again after %v", d.Round(time.Millisecond))
	}
	newOwnerURL, epoch := owner(lesson)
	newOwn := byURL(newOwnerURL)
	if newOwn == own || epoch != 2 {
		t.Fatalf("after the kill the lease is at %s epoch %d", newOwnerURL, epoch)
	}
	checkPlaces(t, back, pids)
	// Until the dead owner's lease expired, live nodes still named it:
	// clients followed that stale redirect, failed, and asked again.
	if staleHops.Load() == stale {
		t.Error("no client met a stale redirect to the dead owner")
	}

	// Fencing: the lease is stolen under the new owner.
	mustOK(t, ctx, back["s1"], live.MsgChatSend, live.ChatSend{Text: "before the theft"})
	if _, err := db.Exec(ctx, `UPDATE lesson_leases SET node_id = 'thief', epoch = epoch + 1 WHERE lesson_id = $1`, lesson); err != nil {
		t.Fatal(err)
	}
	stolen := time.Now()
	_, _ = back["s1"].Request(ctx, live.MsgChatSend, live.ChatSend{Text: "after the theft"})
	for s, c := range back {
		select {
		case <-c.Done():
		case <-time.After(10 * time.Second):
			t.Fatalf("%s still connected 10 s after the lease was stolen", s)
		}
		if st := c.CloseStatus(); st != 4012 {
			t.Fatalf("%s closed with %d (%s), want 4012 moved", s, st, c.CloseReason())
		}
	}
	t.Logf("sessions closed %v after the theft", time.Since(stolen).Round(time.Millisecond))
	for text, want := range map[string]int{"before the theft": 1, "after the theft": 0} {
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM live_chat WHERE lesson_id = $1 AND body = $2`, lesson, text).Scan(&n); err != nil || n != want {
			t.Fatalf("chat %q: %d rows, %v; want %d", text, n, err, want)
		}
	}
	again := rejoinAll(t, ctx, others, students, toks, time.Now(), 15*time.Second, nil)
	if _, epoch := owner(lesson); epoch != 4 {
		t.Fatalf("after the theft the lease is at epoch %d, want 4 (taken again)", epoch)
	}
	checkPlaces(t, again, pids)
}

// rejoinAll brings every student back through its usual path and checks
// each was back within limit of since.
func rejoinAll(t *testing.T, ctx context.Context, nodes []*node, students []string, toks map[string]string,
	since time.Time, limit time.Duration, subs map[string]*peer.Subscriber) map[string]*peer.Client {
	t.Helper()
	type res struct {
		s   string
		c   *peer.Client
		at  time.Duration
		err error
	}
	ch := make(chan res, len(students))
	for i, s := range students {
		order := append(slices.Clone(nodes[i%len(nodes):]), nodes[:i%len(nodes)]...)
		go func() {
			c, _, err := rejoin(ctx, order, toks[s], since.Add(limit+10*time.Second), subs[s])
			ch <- res{s, c, time.Since(since), err}
		}()
	}
	out := map[string]*peer.Client{}
	for range students {
		r := <-ch
		if r.err != nil {
			t.Fatalf("%s: %v", r.s, r.err)
		}
		t.Cleanup(r.c.Close)
		out[r.s] = r.c
		t.Logf("%s back after %v", r.s, r.at.Round(time.Millisecond))
		if r.at > limit {
			t.Errorf("%s back after %v, over %v", r.s, r.at, limit)
		}
	}
	return out
}

// checkPlaces: same participant ids, s1 and s2's hands in order, s3 on
// stage.
func checkPlaces(t *testing.T, clients map[string]*peer.Client, pids map[string]string) {
	t.Helper()
	snap := func(s string) live.Snapshot {
		var sn live.Snapshot
		b, _ := json.Marshal(clients[s].Joined.Classroom)
		if err := json.Unmarshal(b, &sn); err != nil {
			t.Fatal(err)
		}
		return sn
	}
	for s, c := range clients {
		if c.Joined.Participant.ID != pids[s] {
			t.Errorf("%s came back as %s, was %s", s, c.Joined.Participant.ID, pids[s])
		}
	}
	if p := snap("s1").Self.HandPosition; p != 1 {
		t.Errorf("s1's hand at %d, want 1", p)
	}
	if p := snap("s2").Self.HandPosition; p != 2 {
		t.Errorf("s2's hand at %d, want 2", p)
	}
	if st := snap("s3").Stage; !slices.Contains(st, pids["s3"]) {
		t.Errorf("s3 not on stage: %v", st)
	}
}

func mustOK(t *testing.T, ctx context.Context, c *peer.Client, typ string, payload any) {
	t.Helper()
	if _, err := c.Request(ctx, typ, payload); err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// whepThroughRedirect posts a real WHEP offer at a node that does not own
// the lesson; the HTTP client follows the 307 (RFC 9725 allows it) and
// the owner answers 201 with an SDP answer.
func whepThroughRedirect(t *testing.T, ctx context.Context, url, tok, ownerURL string) {
	t.Helper()
	player := peer.Player(t)
	defer player.Close()
	pc := player.PC
	resp, body := whipPost(t, ctx, http.DefaultClient, url, tok, pc)
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(resp.Request.URL.String(), ownerURL) {
		t.Fatalf("WHEP through the redirect: %d from %s: %s", resp.StatusCode, resp.Request.URL, body)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: body}); err != nil {
		t.Fatalf("the owner's WHEP answer: %v", err)
	}
	del, _ := http.NewRequestWithContext(ctx, "DELETE", ownerURL+resp.Header.Get("Location"), nil)
	del.Header.Set("Authorization", "Bearer "+tok)
	if r, err := http.DefaultClient.Do(del); err == nil {
		r.Body.Close()
	}
}
