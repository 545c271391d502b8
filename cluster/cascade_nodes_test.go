package cluster_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/cluster/cascade"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// TestThreeNodesCascade runs three `lectern serve --spill-at 2` processes
// on one PostgreSQL:
//
//   - spill: once the lesson has two participants on its owner (the
//     teacher and a student), the join answer of every node sends new
//     students to one edge node;
//   - media: two students on the edge receive the teacher's video and
//     sound with no loss; the origin gains one subscriber (the relay),
//     not two, and the edge has one track per teacher's track;
//   - classroom: chat goes both ways between a student on the origin and
//     students on the edge and is stored by the origin with the sender's
//     account; a poll opened by the teacher gets votes from both nodes; a
//     hand raised on the edge reaches the teacher's queue; an edge
//     student cannot be invited on stage, and a student on stage is sent
//     to the owner even while the lesson spills; a student on
//     the edge may not open a poll (checked on the origin); a student
//     removed by the teacher is closed at the edge with 4003;
//   - an edge cut off from the origin gives the lesson up, and the next
//     student is sent to the third node, which relays it too;
//   - the origin's classroom door for edges refuses an unsigned
//     connection, a token of another lesson, and media;
//   - partition: the origin is SIGKILLed; the edge's student is told at
//     once (4012, well before the lease expires) and comes back through
//     its usual path (a fresh join answer) with its participant id.
func TestThreeNodesCascade(t *testing.T) {
	c := startThree(t, "--spill-at", "2")
	nodes := c.nodes
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	st, db := openStore(t, ctx, c.dbURL)
	byURL := func(u string) *node { return c.byURL(t, u) }

	tch, course, lesson := liveCourse(t, st, nodes[0], nodes[0])
	stu := map[string]*person{}
	for i, s := range []string{"s1", "s2", "s3"} {
		stu[s] = signUp(t, nodes[i], s+"@example.org")
		stu[s].must(nodes[i], "POST", "/api/v1/courses/"+course.ID+"/enrolment", nil, http.StatusCreated, nil)
	}
	joinAns := func(p *person, at *node) joinAnswer {
		var j joinAnswer
		p.must(at, "POST", "/api/v1/lessons/"+lesson.ID+"/join", nil, http.StatusOK, &j)
		return j
	}

	// The teacher and s1 on the owner.
	tj := joinAns(tch, nodes[0])
	own := byURL(tj.NodeURL)
	teacher, _ := peer.Teach(t, ctx, own.ws(), tj.Token, peer.NewTeacher)
	j1 := joinAns(stu["s1"], own)
	if j1.NodeURL != own.url {
		t.Fatalf("below spill-at s1 is sent to %s, want the owner %s", j1.NodeURL, own.url)
	}
	sub1 := peer.Viewer(t)
	c1, err := peer.Join(ctx, own.ws(), j1.Token, sub1)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	if !seesVideo(sub1, 20*time.Second) {
		t.Fatal("s1 receives no video on the owner")
	}

	// Spill: the owner names an edge, and so does every other node.
	j2 := joinAns(stu["s2"], own)
	if j2.NodeURL == "" || j2.NodeURL == own.url {
		t.Fatalf("at spill-at s2 is sent to %q, want an edge", j2.NodeURL)
	}
	edge := byURL(j2.NodeURL)
	var j3 joinAnswer
	for _, n := range nodes {
		waitFor(t, 10*time.Second, "the edge named by "+n.url, func() bool {
			j3 = joinAns(stu["s3"], n)
			return j3.NodeURL == edge.url
		})
	}
	if tj := joinAns(tch, edge); tj.NodeURL != own.url {
		t.Errorf("the teacher is sent to %s, want the owner", tj.NodeURL)
	}
	subsBefore := metric(t, own, `lectern_sfu_participants{direction="subscribe"}`)

	// Media: the edge's students receive the teacher with no loss.
	sub2, sub3 := peer.Viewer(t), peer.Viewer(t)
	c2, err := peer.Join(ctx, edge.ws(), j2.Token, sub2)
	if err != nil {
		t.Fatal("s2 at the edge:", err)
	}
	defer c2.Close()
	c3, err := peer.Join(ctx, edge.ws(), j3.Token, sub3)
	if err != nil {
		t.Fatal("s3 at the edge:", err)
	}
	defer c3.Close()
	for i, sub := range []*peer.Subscriber{sub2, sub3} {
		v := sub.WaitTrack(webrtc.RTPCodecTypeVideo, 20*time.Second)
		a := sub.WaitTrack(webrtc.RTPCodecTypeAudio, 20*time.Second)
		if v == nil || a == nil || !v.WaitKeyframe(10*time.Second) || !a.WaitPacket(5*time.Second) {
			t.Fatalf("edge student %d: no video keyframe or no sound", i+2)
		}
	}
	time.Sleep(2 * time.Second)
	for i, sub := range []*peer.Subscriber{sub2, sub3} {
		for _, r := range sub.Tracks() {
			s := r.Stats()
			if s.Lost != 0 {
				t.Errorf("edge student %d %s: %d packets lost", i+2, r.Kind, s.Lost)
			}
			if r.Kind == webrtc.RTPCodecTypeVideo && (s.Frames < 20 || !s.FirstFrameIsKeyframe) {
				t.Errorf("edge student %d: %d frames, first a keyframe %v", i+2, s.Frames, s.FirstFrameIsKeyframe)
			}
		}
	}
	// The relayed tracks are shown as the teacher's.
	for _, c := range []*peer.Client{c2, c3} {
		shown := map[string]bool{}
		for _, tr := range c.Joined.Tracks {
			shown[tr.ParticipantID] = true
		}
		for _, e := range c.Events() {
			var ev signaling.TrackEvent
			if e.Type == signaling.TypeTrackPublished && json.Unmarshal(e.Payload, &ev) == nil {
				shown[ev.Track.ParticipantID] = true
			}
		}
		if want := teacher.Joined.Participant.ID; len(shown) != 1 || !shown[want] {
			t.Errorf("an edge student sees tracks of %v, want the teacher's %s only", shown, want)
		}
	}
	// One relay crosses, whatever the edge's audience.
	if got := metric(t, own, `lectern_sfu_participants{direction="subscribe"}`); got != subsBefore+1 {
		t.Errorf("the origin's subscribers went from %v to %v with two edge students; want one relay more", subsBefore, got)
	}
	if n := strings.Count(readFile(t, own.log), `"relay started"`); n != 1 {
		t.Errorf("the origin started %d relays, want 1", n)
	}
	for _, kind := range []string{"video", "audio"} {
		if got := metric(t, edge, `lectern_tracks{kind="`+kind+`"}`); got != 1 {
			t.Errorf("the edge has %v %s tracks, want the one relayed", got, kind)
		}
	}

	// Classroom: one chat across nodes, stored by the origin.
	pid := func(c *peer.Client) string { return c.Joined.Participant.ID }
	if pid(c2) == "" || pid(c2) == pid(c3) || !hasParticipant(c2, pid(c1)) {
		t.Fatalf("edge joins: s2 %q, s3 %q; s2 sees s1: %v", pid(c2), pid(c3), hasParticipant(c2, pid(c1)))
	}
	mustOK(t, ctx, c1, live.MsgChatSend, live.ChatSend{Text: "from the origin"})
	mustOK(t, ctx, c2, live.MsgChatSend, live.ChatSend{Text: "from the edge"})
	for who, c := range map[string]*peer.Client{"s1": c1, "s2": c2, "s3": c3, "teacher": teacher} {
		for _, text := range []string{"from the origin", "from the edge"} {
			if !seesChat(c, text) {
				t.Errorf("%s never got the chat %q", who, text)
			}
		}
	}
	var sender string
	if err := db.QueryRow(ctx, `SELECT sender_user FROM live_chat WHERE lesson_id = $1 AND body = 'from the edge'`, lesson.ID).Scan(&sender); err != nil || sender != stu["s2"].id {
		t.Errorf("the edge's chat is stored as sent by %q (%v), want s2's account", sender, err)
	}
	// Hands and polls.
	mustOK(t, ctx, c3, live.MsgHandRaise, struct{}{})
	if _, ok := teacher.WaitEvent(live.EvHandsQueue, 10*time.Second, func(e signaling.Envelope) bool {
		return strings.Contains(string(e.Payload), pid(c3))
	}); !ok {
		t.Error("the teacher's hand queue never showed the edge student's hand")
	}
	if _, err := c2.Request(ctx, live.MsgPollCreate, live.PollCreate{Question: "Mine?", Kind: "yesno"}); !peer.IsError(err, live.CodeForbidden) {
		t.Errorf("a student at the edge opening a poll: %v, want forbidden from the origin", err)
	}
	mustOK(t, ctx, teacher, live.MsgPollCreate, live.PollCreate{Question: "Ready?", Kind: "yesno"})
	opened, ok := c2.WaitEvent(live.EvPollOpened, 10*time.Second, nil)
	if !ok {
		t.Fatal("the edge student never saw the poll")
	}
	var poll live.PollInfo
	_ = json.Unmarshal(opened.Payload, &poll)
	mustOK(t, ctx, c1, live.MsgPollVote, live.PollVote{PollID: poll.ID, Choices: []int{0}})
	mustOK(t, ctx, c2, live.MsgPollVote, live.PollVote{PollID: poll.ID, Choices: []int{1}})
	if _, ok := teacher.WaitEvent(live.EvPollCounts, 10*time.Second, func(e signaling.Envelope) bool {
		var tally live.PollTally
		return json.Unmarshal(e.Payload, &tally) == nil && tally.Total == 2 && slices.Equal(tally.Counts, []int{1, 1, 0})
	}); !ok {
		var seen []string
		for _, e := range teacher.Events() {
			if strings.HasPrefix(e.Type, "poll.") {
				seen = append(seen, e.Type+" "+string(e.Payload))
			}
		}
		t.Errorf("the teacher never saw one vote from each node; saw %v", seen)
	}
	var votes int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM live_votes WHERE lesson_id = $1`, lesson.ID).Scan(&votes); err != nil || votes != 2 {
		t.Errorf("%d votes stored (%v), want 2", votes, err)
	}
	// The stage: a student on the edge cannot be invited (its media is
	// on the edge); one on the origin can, and while it holds the place
	// its join answers name the owner, not the edge.
	if _, err := teacher.Request(ctx, live.MsgStageInvite, live.StageInvite{ParticipantID: pid(c2)}); !peer.IsError(err, live.CodeInvalid) {
		t.Errorf("inviting an edge student on stage: %v, want invalid", err)
	}
	mustOK(t, ctx, teacher, live.MsgStageInvite, live.StageInvite{ParticipantID: pid(c1)})
	mustOK(t, ctx, c1, live.MsgStageAccept, struct{}{})
	for _, n := range nodes {
		if j := joinAns(stu["s1"], n); j.NodeURL != own.url {
			t.Errorf("s1 on stage is sent by %s to %s, want the owner", n.url, j.NodeURL)
		}
	}
	// A removal on the origin reaches the edge's connection.
	mustOK(t, ctx, teacher, live.MsgParticipantRemove, live.ParticipantRemove{ParticipantID: pid(c3)})
	awaitClose(t, c3, signaling.CloseRemoved, "the removed edge student")

	// The edge loses its way to the origin (the origin's registered URL
	// is made unreachable for a moment: the origin still serves and
	// beats): a student joining at the edge is told "moved" with no URL,
	// the edge gives the lesson up, and the next join answer names the
	// third node, where the student receives the teacher through a new
	// relay.
	var third *node
	for _, n := range nodes {
		if n != own && n != edge {
			third = n
		}
	}
	if _, err := db.Exec(ctx, `UPDATE cluster_nodes SET url = 'http://127.0.0.1:1' WHERE url = $1`, own.url); err != nil {
		t.Fatal(err)
	}
	_, err = joinAt(ctx, edge.ws(), operatorToken(t, c.signer, lesson.ID, "late", token.RoleStudent), nil)
	if m := (*errMoved)(nil); !errors.As(err, &m) || m.url != "" {
		t.Errorf("a join at an edge cut off from its origin: %v, want moved without a URL", err)
	}
	if _, err := db.Exec(ctx, `UPDATE cluster_nodes SET url = $1 WHERE url = 'http://127.0.0.1:1'`, own.url); err != nil {
		t.Fatal(err)
	}
	var givenUp string
	if err := db.QueryRow(ctx, `SELECT given_up FROM lesson_spills WHERE lesson_id = $1`, lesson.ID).Scan(&givenUp); err != nil || givenUp == "" {
		t.Errorf("the cut-off edge did not give the lesson up (%q, %v)", givenUp, err)
	}
	j3 = joinAns(stu["s3"], own)
	if j3.NodeURL != third.url {
		t.Fatalf("after the edge gave up, s3 is sent to %s, want the third node %s", j3.NodeURL, third.url)
	}
	sub3b := peer.Viewer(t)
	c3b, err := peer.Join(ctx, third.ws(), j3.Token, sub3b)
	if err != nil {
		t.Fatal("s3 at the new edge:", err)
	}
	defer c3b.Close()
	if !seesVideo(sub3b, 20*time.Second) {
		t.Error("s3 receives no video at the new edge")
	}

	// The origin's classroom door for edges: unsigned, refused; signed
	// for this lesson, a token of another lesson is refused; a joined
	// edge connection carries no media on the origin.
	door := "ws" + strings.TrimPrefix(own.url, "http") + signaling.UpstreamPath + lesson.ID
	resp, err := http.Get(own.url + signaling.UpstreamPath + lesson.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an unsigned classroom connection: %s, want 401", resp.Status)
	}
	secret, _ := hex.DecodeString(c.hex)
	other, err := peer.DialHeader(ctx, door, cascade.ClassroomHeader(secret, lesson.ID, "test-edge"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Request(ctx, signaling.TypeJoin, signaling.JoinRequest{Token: operatorToken(t, c.signer, "another-lesson", "x", token.RoleStudent)}); !peer.IsError(err, signaling.CodeUnauthorized) {
		t.Errorf("a token of another lesson on a signed classroom connection: %v, want unauthorized", err)
	}
	edged, err := peer.DialHeader(ctx, door, cascade.ClassroomHeader(secret, lesson.ID, "test-edge"))
	if err != nil {
		t.Fatal(err)
	}
	defer edged.Close()
	if _, err := edged.Request(ctx, signaling.TypeJoin, signaling.JoinRequest{Token: operatorToken(t, c.signer, lesson.ID, "x", token.RoleStudent)}); err != nil {
		t.Fatal("a signed classroom connection with the lesson's token:", err)
	}
	if _, err := edged.Request(ctx, signaling.TypeSubscribeAnswer, signaling.SDP{SDP: "v=0"}); !peer.IsError(err, signaling.CodeForbidden) {
		t.Errorf("media on an edge's classroom connection: %v, want forbidden", err)
	}

	// Partition: the origin dies; its edge student, who holds a place
	// (a raised hand), is told at once.
	mustOK(t, ctx, c2, live.MsgHandRaise, struct{}{})
	if _, ok := teacher.WaitEvent(live.EvHandsQueue, 10*time.Second, func(e signaling.Envelope) bool {
		return strings.Contains(string(e.Payload), pid(c2))
	}); !ok {
		t.Fatal("the teacher's hand queue never showed s2's hand")
	}
	pid2 := pid(c2)
	killed := time.Now()
	own.kill()
	// Told because the origin's connections broke, not by a timeout: the
	// relay's ICE fails 30 s after the last packet and an idle session
	// closes after 45 s, so 10 s is generous under load and still tells
	// them apart.
	awaitCloseWithin(t, c2, signaling.CloseMoved, "the edge student after the origin died", 10*time.Second)
	t.Logf("the edge student was told %v after the origin died", time.Since(killed).Round(time.Millisecond))
	var back *peer.Client
	waitFor(t, 30*time.Second, "s2 back through a fresh join answer", func() bool {
		for _, n := range nodes {
			if n == own {
				continue
			}
			j := joinAns(stu["s2"], n)
			if c, err := peer.Join(ctx, "ws"+strings.TrimPrefix(j.NodeURL, "http")+"/rtc", j.Token, nil); err == nil {
				back = c
				return true
			}
		}
		return false
	})
	defer back.Close()
	var snap live.Snapshot
	b, _ := json.Marshal(back.Joined.Classroom)
	_ = json.Unmarshal(b, &snap)
	if pid(back) != pid2 || snap.Self.HandPosition != 1 {
		t.Errorf("s2 came back as %s with its hand at %d, was %s with its hand up", pid(back), snap.Self.HandPosition, pid2)
	}
	t.Logf("s2 back %v after the origin died", time.Since(killed).Round(time.Millisecond))
}

// seesChat waits for a chat message with text.
func seesChat(c *peer.Client, text string) bool {
	_, ok := c.WaitEvent(live.EvChatMessage, 10*time.Second, func(e signaling.Envelope) bool {
		var m live.ChatInfo
		return json.Unmarshal(e.Payload, &m) == nil && m.Text == text
	})
	return ok
}

func hasParticipant(c *peer.Client, pid string) bool {
	return slices.ContainsFunc(c.Joined.Participants, func(p signaling.ParticipantInfo) bool { return p.ID == pid })
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// metric reads one sample of a node's /metrics (0 when absent).
func metric(t *testing.T, n *node, series string) float64 {
	t.Helper()
	resp, err := http.Get(n.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", series, err)
			}
			return f
		}
	}
	return 0
}
