package cluster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// person is a signed-in account speaking REST to any node (sessions live
// in the shared database; the cookie is the same for every loopback port).
type person struct {
	t    *testing.T
	http *http.Client
	csrf string
	id   string
}

func (p *person) do(n *node, method, path string, body any) (int, []byte) {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, n.url+path, rd)
	if err != nil {
		p.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", n.url)
	if p.csrf != "" {
		req.Header.Set("X-CSRF-Token", p.csrf)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func (p *person) must(n *node, method, path string, body any, status int, out any) {
	p.t.Helper()
	got, data := p.do(n, method, path, body)
	if got != status {
		p.t.Fatalf("%s %s at %s: %d %s, want %d", method, path, n.url, got, data, status)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			p.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

func signUp(t *testing.T, n *node, email string) *person {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	p := &person{t: t, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var out struct {
		Account   struct{ ID string } `json:"account"`
		CSRFToken string              `json:"csrf_token"`
	}
	p.must(n, "POST", "/api/v1/accounts", map[string]string{"email": email, "password": "correct horse battery staple",
		"display_name": email}, http.StatusCreated, &out)
	p.csrf, p.id = out.CSRFToken, out.Account.ID
	return p
}

type joinAnswer struct {
	Token   string `json:"token"`
	NodeURL string `json:"node_url"`
}

// TestThreeNodesAccessAndEnd: over REST on any node, the join-token answer
// names the lesson's node; a student removed from the course on one node
// is cut (4010) on the node serving the lesson; a lesson ended by REST on
// a node that does not serve it closes the sessions on its node (4011) and
// releases its lease.
func TestThreeNodesAccessAndEnd(t *testing.T) {
	c := startThree(t)
	nodes := c.nodes
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, db := openStore(t, ctx, c.dbURL)

	// The join answer names the same node from every node.
	tch, stu, course, lesson, tj, sj := classWithStudent(t, st, nodes)
	var leaseURL string
	if err := db.QueryRow(ctx, `SELECT c.url FROM lesson_leases l JOIN cluster_nodes c ON c.id = l.node_id
		WHERE l.lesson_id = $1`, lesson.ID).Scan(&leaseURL); err != nil {
		t.Fatal(err)
	}
	if tj.NodeURL == "" || tj.NodeURL != leaseURL || sj.NodeURL != leaseURL {
		t.Fatalf("join answers name %q and %q; the lease is at %q", tj.NodeURL, sj.NodeURL, leaseURL)
	}
	own, others := c.split(leaseURL)
	teacher, err := peer.Join(ctx, own.ws(), tj.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer teacher.Close()
	student, err := peer.Join(ctx, own.ws(), sj.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer student.Close()

	// Removed from the course on a node that does not serve the lesson.
	tch.must(others[0], "DELETE", "/api/v1/courses/"+course.ID+"/students/"+stu.id, nil, http.StatusNoContent, nil)
	awaitClose(t, student, signaling.CloseAccessEnded, "the removed student")

	// Ended by REST on another node.
	tch.must(others[1], "POST", "/api/v1/lessons/"+lesson.ID+"/status", map[string]string{"status": "ended"}, http.StatusOK, nil)
	awaitClose(t, teacher, signaling.CloseLessonEnded, "the teacher")
	waitFor(t, 10*time.Second, "the ended lesson's lease released", func() bool {
		var valid bool
		_ = db.QueryRow(ctx, `SELECT expires_at > now() FROM lesson_leases WHERE lesson_id = $1`, lesson.ID).Scan(&valid)
		return !valid
	})
}

// classWithStudent makes a teacher's live lesson (liveCourse) with one
// enrolled student, over REST on the three nodes, and asks for both their
// join answers at different nodes.
func classWithStudent(t *testing.T, st *store.Store, nodes []*node) (tch, stu *person, course, lesson struct {
	ID string `json:"id"`
}, tj, sj joinAnswer) {
	t.Helper()
	tch, course, lesson = liveCourse(t, st, nodes[0], nodes[1])
	stu = signUp(t, nodes[1], "student@example.org")
	stu.must(nodes[2], "POST", "/api/v1/courses/"+course.ID+"/enrolment", nil, http.StatusCreated, nil)
	tch.must(nodes[0], "POST", "/api/v1/lessons/"+lesson.ID+"/join", nil, http.StatusOK, &tj)
	stu.must(nodes[2], "POST", "/api/v1/lessons/"+lesson.ID+"/join", nil, http.StatusOK, &sj)
	return tch, stu, course, lesson, tj, sj
}

// liveCourse signs a teacher up at a, who creates a published course and
// one lesson starting now (at b).
func liveCourse(t *testing.T, st *store.Store, a, b *node) (tch *person, course, lesson struct {
	ID string `json:"id"`
}) {
	t.Helper()
	tch = signUp(t, a, "teacher@example.org")
	storetest.GrantRole(t, st, tch.id, classroom.RoleTeacher)
	tch.must(a, "POST", "/api/v1/courses", map[string]any{"title": "Cluster course"}, http.StatusCreated, &course)
	storetest.Publish(t, st, course.ID)
	tch.must(b, "POST", "/api/v1/courses/"+course.ID+"/lessons", map[string]any{"title": "Lesson",
		"starts_at": time.Now().UTC(), "duration_minutes": 60}, http.StatusCreated, &lesson)
	return tch, course, lesson
}

func awaitClose(t *testing.T, c *peer.Client, code int, who string) {
	t.Helper()
	awaitCloseWithin(t, c, code, who, 15*time.Second)
}

// awaitCloseWithin is awaitClose within limit.
func awaitCloseWithin(t *testing.T, c *peer.Client, code int, who string, limit time.Duration) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(limit):
		t.Fatalf("%s still connected after %v", who, limit)
	}
	if st := int(c.CloseStatus()); st != code {
		t.Fatalf("%s closed with %d (%s), want %d", who, st, c.CloseReason(), code)
	}
}
