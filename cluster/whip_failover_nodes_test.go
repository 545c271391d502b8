package cluster_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// TestThreeNodesWHIPFailover: what an encoder publishing over WHIP (RFC
// 9725) sees when its node loses the lesson's lease. RFC 9725 has no
// message from the server to the client, so the node ends the session by
// closing its PeerConnection: the publisher's connection goes to closed
// (DTLS close_notify) within 10 s, as an encoder like OBS notices at
// once, and its next POST at the old node is redirected (307) to the new
// owner, where it publishes again and a student receives it.
func TestThreeNodesWHIPFailover(t *testing.T) {
	c := startThree(t)
	nodes := c.nodes
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, db := openStore(t, ctx, c.dbURL)
	lesson := uuid.NewString()
	tch := operatorToken(t, c.signer, lesson, "obs", token.RoleTeacher)
	stu := operatorToken(t, c.signer, lesson, "s1", token.RoleStudent)

	// The encoder POSTs at the first node and follows the redirect.
	pub, states, own := publishWHIP(t, ctx, c, nodes[0].url+"/whip/"+lesson, tch)
	if at, ok := studentSees(t, ctx, nodes, stu); at != own.ws() || !ok {
		t.Fatalf("the student at %s (owner %s) receives no video from the WHIP publisher", at, own.url)
	}

	// The lease moves to another node (as after a takeover).
	next := nodes[0]
	if next == own {
		next = nodes[1]
	}
	if _, err := db.Exec(ctx, `UPDATE lesson_leases SET node_id = (SELECT id FROM cluster_nodes WHERE url = $2),
		epoch = epoch + 1, expires_at = now() + interval '5 seconds' WHERE lesson_id = $1`, lesson, next.url); err != nil {
		t.Fatal(err)
	}
	moved := time.Now()
	awaitState(t, states, 10*time.Second, webrtc.PeerConnectionStateClosed, webrtc.PeerConnectionStateFailed)
	t.Logf("WHIP publisher's PeerConnection %s %v after the lease moved", pub.PC.ConnectionState(), time.Since(moved).Round(time.Millisecond))

	// The encoder's next POST at the old node: 307 to the new owner,
	// where it publishes and a student receives it.
	pub2, states2 := whipPublisher(t)
	resp, _ := whipPost(t, ctx, noRedirect, own.url+"/whip/"+lesson, tch, pub2.PC)
	if want := next.url + "/whip/" + lesson; resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != want {
		t.Fatalf("POST at the old owner: %d Location %q, want 307 to %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	resp, answer := whipPost(t, ctx, noRedirect, resp.Header.Get("Location"), tch, pub2.PC)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHIP at the new owner: %d %s", resp.StatusCode, answer)
	}
	startWHIP(t, pub2, states2, answer)
	if at, ok := studentSees(t, ctx, nodes, stu); at != next.ws() || !ok {
		t.Fatalf("the student at %s (new owner %s) receives no video from the republished encoder", at, next.url)
	}
}

// noRedirect is an HTTP client that returns a redirect instead of
// following it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// studentSees joins the student stu through nodes as the client does
// (rejoin, up to 20 s) with a fresh viewer, closed when t ends, and
// returns the node it landed on and whether it receives video within
// 20 s.
func studentSees(t *testing.T, ctx context.Context, nodes []*node, stu string) (string, bool) {
	t.Helper()
	sub := peer.Viewer(t)
	s, at, err := rejoin(ctx, nodes, stu, time.Now().Add(20*time.Second), sub)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return at, seesVideo(sub, 20*time.Second)
}

// publishWHIP publishes the test camera and microphone over WHIP at url,
// following a redirect, and returns the publisher, its connection states
// and the node that took it.
func publishWHIP(t *testing.T, ctx context.Context, c *three, url, tok string) (*peer.Publisher, <-chan webrtc.PeerConnectionState, *node) {
	t.Helper()
	pub, states := whipPublisher(t)
	resp, answer := whipPost(t, ctx, http.DefaultClient, url, tok, pub.PC)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHIP: %d %s", resp.StatusCode, answer)
	}
	startWHIP(t, pub, states, answer)
	return pub, states, c.byURL(t, resp.Request.URL.Scheme+"://"+resp.Request.URL.Host)
}

// startWHIP applies the WHIP answer, starts sending and waits until the
// publisher is connected.
func startWHIP(t *testing.T, pub *peer.Publisher, states <-chan webrtc.PeerConnectionState, answer string) {
	t.Helper()
	if err := pub.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	pub.Start()
	awaitState(t, states, 10*time.Second, webrtc.PeerConnectionStateConnected)
}

// whipPublisher is an encoder's PeerConnection (the test camera and
// microphone) and its connection states.
func whipPublisher(t *testing.T) (*peer.Publisher, <-chan webrtc.PeerConnectionState) {
	t.Helper()
	pub, err := peer.NewTeacher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	states := make(chan webrtc.PeerConnectionState, 16)
	pub.PC.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		select {
		case states <- s:
		default:
		}
	})
	return pub, states
}

// awaitState waits until the connection reaches one of want.
func awaitState(t *testing.T, states <-chan webrtc.PeerConnectionState, limit time.Duration, want ...webrtc.PeerConnectionState) {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case s := <-states:
			for _, w := range want {
				if s == w {
					return
				}
			}
		case <-deadline:
			t.Fatalf("the WHIP publisher's connection never reached %v within %v", want, limit)
		}
	}
}

// offerSDP makes pc's offer with every candidate gathered (no trickle).
func offerSDP(t *testing.T, pc *webrtc.PeerConnection) string {
	t.Helper()
	if ld := pc.LocalDescription(); ld != nil {
		return ld.SDP
	}
	return peer.Offer(t, pc)
}

// whipPost POSTs pc's offer to a WHIP (or WHEP) URL with client and
// returns the response and its body.
func whipPost(t *testing.T, ctx context.Context, client *http.Client, url, tok string, pc *webrtc.PeerConnection) (*http.Response, string) {
	t.Helper()
	resp, body, err := peer.PostSDP(ctx, client, url, tok, offerSDP(t, pc), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestThreeNodesWHIPOwnerKilled: a killed node sends nothing, so its WHIP
// publisher learns of it from ICE (Pion: disconnected after 5 s without
// answers; bound 15 s). Its POSTs at a live node, retried as an encoder
// does, are taken once the dead owner's lease has expired (default TTL
// 5 s; bound 20 s after the kill) and a student receives it there.
func TestThreeNodesWHIPOwnerKilled(t *testing.T) {
	c := startThree(t)
	nodes := c.nodes
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	lesson := uuid.NewString()
	tch := operatorToken(t, c.signer, lesson, "obs", token.RoleTeacher)
	stu := operatorToken(t, c.signer, lesson, "s1", token.RoleStudent)

	pub, states, own := publishWHIP(t, ctx, c, nodes[0].url+"/whip/"+lesson, tch)
	var live []*node
	for _, n := range nodes {
		if n != own {
			live = append(live, n)
		}
	}

	own.kill()
	killed := time.Now()
	awaitState(t, states, 15*time.Second, webrtc.PeerConnectionStateDisconnected, webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed)
	t.Logf("WHIP publisher's PeerConnection %s %v after its node was killed", pub.PC.ConnectionState(), time.Since(killed).Round(time.Millisecond))

	// The encoder retries its POST at a live node (following redirects)
	// until a node takes it.
	var pub2 *peer.Publisher
	var states2 <-chan webrtc.PeerConnectionState
	for i := 0; ; i++ {
		if time.Since(killed) > 20*time.Second || i > 100 {
			t.Fatalf("no node took the WHIP publisher within 20 s of the kill (%d tries)", i)
		}
		pub2, states2 = whipPublisher(t)
		resp, body, err := peer.PostSDP(ctx, http.DefaultClient, live[i%len(live)].url+"/whip/"+lesson, tch, offerSDP(t, pub2.PC), nil)
		if err == nil && resp.StatusCode == http.StatusCreated {
			startWHIP(t, pub2, states2, body)
			break
		}
		pub2.Close()
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("WHIP publisher taken by a live node %v after the kill", time.Since(killed).Round(time.Millisecond))
	if _, ok := studentSees(t, ctx, live, stu); !ok {
		t.Fatal("the student receives no video from the republished encoder")
	}
}
