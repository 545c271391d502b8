package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/internal/testlog"
	"github.com/lectern/lectern/store/storetest"
)

// clusterNode is one in-process node of a two-node cluster.
type clusterNode struct {
	url  string
	app  *app.App
	srv  *http.Server
	logs *testlog.Buffer
}

// startClusterNode runs a whole server with --node-url on dbURL (and
// --spill-at spillAt).
func startClusterNode(t *testing.T, dbURL string, secret []byte, spillAt int) *clusterNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := &clusterNode{url: "http://" + ln.Addr().String(), logs: &testlog.Buffer{}}
	n.app, err = app.New(context.Background(), app.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, Secret: secret,
		Logger: slog.New(slog.NewTextHandler(n.logs, nil)), Loopback: true, ICEUDPAddr: "127.0.0.1:0",
		Cluster: app.ClusterConfig{NodeURL: n.url, SpillAt: spillAt}})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	n.srv = &http.Server{Handler: n.app.Handler()}
	go func() { _ = n.srv.Serve(ln) }()
	t.Cleanup(func() {
		n.stop()
		if t.Failed() {
			t.Logf("log of %s:\n%s", n.url, n.logs.Tail(6000))
		}
	})
	return n
}

// stop shuts the node down cleanly (its leases are given up).
func (n *clusterNode) stop() {
	if n.srv == nil {
		return
	}
	_ = n.srv.Close()
	_ = n.app.Close()
	n.srv = nil
}

// TestBrowserFollowsLessonNode: two nodes on one PostgreSQL. A signed-in
// student opens the lesson's page at node A while node B serves the
// lesson: the room's WebSocket goes to B (the join token's node_url, a
// cross-origin WebSocket B accepts from a registered node's page). When B
// stops, the room reconnects by itself, asks A for a fresh token and
// joins the lesson again, now at A.
func TestBrowserFollowsLessonNode(t *testing.T) {
	requireBrowser(t)
	ctx := context.Background()
	pg, err := pgtest.Start(ctx)
	testenv.Require(t, "PostgreSQL", err)
	t.Cleanup(func() { _ = pg.Stop() })
	if err := pg.CreateDatabase(ctx, "follow"); err != nil {
		t.Fatal(err)
	}
	dbURL := pg.URL("follow")
	secret := bytes.Repeat([]byte("e2e-secret-"), 4)
	a := startClusterNode(t, dbURL, secret, 0)
	b := startClusterNode(t, dbURL, secret, 0)

	// A teacher's course and lesson, and an enrolled student, over REST at A.
	_, lessonID, sw := courseWithStudent(t, a)
	lesson := struct{ ID string }{lessonID}

	// The lesson is B's: its lease is given to B as placement would.
	giveLease(t, dbURL, lesson.ID, b)
	s := startScript(t, 150*time.Second, "follow", a.url+"/lesson/"+lesson.ID, cookiesOf(sw, a))
	joined := s.waitEventLine("joined", 60*time.Second)
	first := fmt.Sprint(joined["sockets"])
	if !strings.Contains(first, "ws"+strings.TrimPrefix(b.url, "http")+"/rtc") {
		t.Fatalf("the room's WebSocket went to %s, want B (%s)", first, b.url)
	}
	b.stop()
	s.send("stopped")
	res := s.result(120 * time.Second)
	sockets, _ := res["sockets"].([]any)
	if len(sockets) < 2 || fmt.Sprint(sockets[len(sockets)-1]) != "ws"+strings.TrimPrefix(a.url, "http")+"/rtc" {
		t.Fatalf("after B stopped the room's sockets were %v, want the last at A (%s)", sockets, a.url)
	}
	if errs, _ := res["errors"].([]any); len(errs) > 0 {
		t.Logf("page errors (WebSocket failures while B was down are expected): %v", errs)
	}
}

// who is a signed-in account speaking REST to one node.
type who struct {
	base string
	jar  http.CookieJar
	csrf string
	id   string
}

func (w *who) rest(t *testing.T, method, path string, body any, out any) {
	t.Helper()
	var rd *bytes.Reader
	if body == nil {
		rd = bytes.NewReader(nil)
	} else {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, w.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", w.base)
	if w.csrf != "" {
		req.Header.Set("X-CSRF-Token", w.csrf)
	}
	resp, err := (&http.Client{Jar: w.jar, Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
	}
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
}

func signUpAt(t *testing.T, n *clusterNode, email string) *who {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &who{base: n.url, jar: jar}
	var s struct {
		Account   struct{ ID string } `json:"account"`
		CSRFToken string              `json:"csrf_token"`
	}
	w.rest(t, "POST", "/api/v1/accounts", map[string]string{"email": email, "password": "correct horse battery staple",
		"display_name": strings.Split(email, "@")[0]}, &s)
	w.csrf, w.id = s.CSRFToken, s.Account.ID
	return w
}

// courseWithStudent creates, over REST at n, a teacher's published course
// with a lesson starting now and an enrolled student.
func courseWithStudent(t *testing.T, n *clusterNode) (tch *who, lessonID string, stu *who) {
	t.Helper()
	tch = signUpAt(t, n, "teacher@example.org")
	st := n.app.Store()
	storetest.GrantRole(t, st, tch.id, classroom.RoleTeacher)
	var course, lesson struct {
		ID string `json:"id"`
	}
	tch.rest(t, "POST", "/api/v1/courses", map[string]any{"title": "Two nodes"}, &course)
	storetest.Publish(t, st, course.ID)
	tch.rest(t, "POST", "/api/v1/courses/"+course.ID+"/lessons", map[string]any{"title": "Followed",
		"starts_at": time.Now().UTC(), "duration_minutes": 60}, &lesson)
	stu = signUpAt(t, n, "student@example.org")
	stu.rest(t, "POST", "/api/v1/courses/"+course.ID+"/enrolment", nil, nil)
	return tch, lesson.ID, stu
}

// giveLease places lessonID on n as placement would.
func giveLease(t *testing.T, dbURL, lessonID string, n *clusterNode) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close(ctx)
	if _, err := pool.Exec(ctx, `INSERT INTO lesson_leases (lesson_id, node_id, epoch, expires_at)
		SELECT $1, id, 1, now() + interval '10 seconds' FROM cluster_nodes WHERE url = $2`, lessonID, n.url); err != nil {
		t.Fatal(err)
	}
}

// cookiesOf is w's cookies for n's pages, as the browser scripts take them.
func cookiesOf(w *who, n *clusterNode) string {
	type cookie struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	var cookies []cookie
	u, _ := url.Parse(n.url + "/api/v1/")
	for _, c := range w.jar.Cookies(u) {
		cookies = append(cookies, cookie{c.Name, c.Value})
	}
	cj, _ := json.Marshal(cookies)
	return string(cj)
}
