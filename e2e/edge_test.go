package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

// TestBrowserOnEdgeNode: two nodes with --spill-at 1. The teacher (a Pion
// peer) publishes at node A, which owns the lesson, so it has spilled: a
// signed-in student opening the lesson's page at A is sent to B, the
// edge. In the browser the room's WebSocket goes to B, the teacher's
// relayed video plays on the main stage with the teacher's name and
// participant id, the teacher's chat message is there, and the student's
// message reaches the teacher at A. When the teacher ends the lesson, a
// student on the edge is closed with 4011, as on the owner.
func TestBrowserOnEdgeNode(t *testing.T) {
	requireBrowser(t)
	ctx := context.Background()
	pg, err := pgtest.Start(ctx)
	testenv.Require(t, "PostgreSQL", err)
	t.Cleanup(func() { _ = pg.Stop() })
	if err := pg.CreateDatabase(ctx, "edge"); err != nil {
		t.Fatal(err)
	}
	dbURL := pg.URL("edge")
	secret := bytes.Repeat([]byte("e2e-secret-"), 4)
	a := startClusterNode(t, dbURL, secret, 1)
	b := startClusterNode(t, dbURL, secret, 1)
	tch, lessonID, stu := courseWithStudent(t, a)
	giveLease(t, dbURL, lessonID, a)

	tok, err := a.app.Signer().Issue(token.Claims{Lesson: lessonID, User: tch.id, Name: "Teacher Li", Role: token.RoleTeacher,
		Permissions: token.DefaultPermissions(token.RoleTeacher)}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	teacher, _ := peer.Teach(t, ctx, "ws"+strings.TrimPrefix(a.url, "http")+"/rtc", tok, peer.NewTeacher)
	if _, err := teacher.Request(ctx, live.MsgChatSend, live.ChatSend{Text: "hello from the owner"}); err != nil {
		t.Fatal(err)
	}

	s := startScript(t, 150*time.Second, "edge", a.url+"/lesson/"+lessonID, cookiesOf(stu, a))
	res := s.result(140 * time.Second)
	sockets := fmt.Sprint(res["sockets"])
	if want := "ws" + strings.TrimPrefix(b.url, "http") + "/rtc"; !strings.Contains(sockets, want) || strings.Contains(sockets, strings.TrimPrefix(a.url, "http://")+"/rtc") {
		t.Errorf("the room's WebSockets were %s, want B's only (%s)", sockets, want)
	}
	if res["label"] != "Teacher Li" || res["participant"] != teacher.Joined.Participant.ID {
		t.Errorf("the main stage shows %v (%v), want the teacher %s", res["label"], res["participant"], teacher.Joined.Participant.ID)
	}
	if _, ok := teacher.WaitEvent(live.EvChatMessage, 10*time.Second, func(e signaling.Envelope) bool {
		var m live.ChatInfo
		return json.Unmarshal(e.Payload, &m) == nil && m.Text == "hello from the edge"
	}); !ok {
		t.Error("the teacher never got the edge student's chat")
	}
	if errs, _ := res["errors"].([]any); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}

	// The teacher ends the lesson at the owner: a student on the edge is
	// closed with the same code (4011) as one on the owner.
	var j struct {
		Token   string `json:"token"`
		NodeURL string `json:"node_url"`
	}
	stu.rest(t, "POST", "/api/v1/lessons/"+lessonID+"/join", nil, &j)
	if j.NodeURL != b.url {
		t.Fatalf("the student's join answer names %s, want the edge %s", j.NodeURL, b.url)
	}
	onEdge, err := peer.Join(ctx, "ws"+strings.TrimPrefix(b.url, "http")+"/rtc", j.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer onEdge.Close()
	// The teacher's own connection closes (4011) before any reply.
	if err := teacher.Send(ctx, live.MsgLessonEnd, "end", struct{}{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-onEdge.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("the edge student outlived the lesson")
	}
	if code := onEdge.CloseStatus(); code != signaling.CloseLessonEnded {
		t.Errorf("the edge student was closed with %d (%s), want %d", code, onEdge.CloseReason(), signaling.CloseLessonEnded)
	}
}
