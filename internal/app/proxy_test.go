package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// TestPerAddressCapBehindProxy: signalling's per-address session cap
// counts the client X-Forwarded-For names when the request comes from a
// trusted proxy (--trusted-proxies), over WHEP and the WebSocket alike; a
// hop the client wrote itself does not change its address; and without a
// trusted proxy the header is ignored and the TCP peer is the address.
func TestPerAddressCapBehindProxy(t *testing.T) {
	const a1, a2, a3 = "198.51.100.1", "198.51.100.2", "198.51.100.3"
	t.Run("trusted proxy", func(t *testing.T) {
		a, srv := startCapped(t, "127.0.0.1")
		wantWHEP(t, a, srv, "u1", a1, http.StatusCreated)
		wantWHEP(t, a, srv, "u2", a1, http.StatusCreated)
		wantWHEP(t, a, srv, "u3", a1, http.StatusTooManyRequests)
		// Another client behind the same proxy has slots of its own (the
		// proxy's own address, 127.0.0.1, already holds two sessions).
		wantWHEP(t, a, srv, "u4", a2, http.StatusCreated)
		// A client that writes an address of its choosing before the
		// proxy's append is still itself.
		wantWHEP(t, a, srv, "u5", "203.0.113.50, "+a1, http.StatusTooManyRequests)
		wantWSJoin(t, a, srv, "u6", a1, false)
		wantWSJoin(t, a, srv, "u7", a3, true)
	})
	t.Run("no trusted proxy", func(t *testing.T) {
		a, srv := startCapped(t)
		wantWHEP(t, a, srv, "u1", a1, http.StatusCreated)
		wantWHEP(t, a, srv, "u2", a2, http.StatusCreated)
		wantWHEP(t, a, srv, "u3", a3, http.StatusTooManyRequests)
		wantWSJoin(t, a, srv, "u4", a3, false)
	})
}

// startCapped starts a whole server allowing two sessions per address,
// behind the given trusted proxies.
func startCapped(t *testing.T, proxies ...string) (*app.App, *httptest.Server) {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Secret: secret, Loopback: true, ICEUDPAddr: "127.0.0.1:0",
		TrustedProxies: proxies, SessionLimits: signaling.Limits{PerAddress: 2}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); _ = a.Close() })
	return a, srv
}

// wantWHEP posts a WHEP offer as user with X-Forwarded-For xff and checks
// the status (and the error code of a 429).
func wantWHEP(t *testing.T, a *app.App, srv *httptest.Server, user, xff string, want int) {
	t.Helper()
	pc, err := relayAPI(t, false, webrtc.NetworkTypeUDP4).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := postSDP(t, srv.URL+"/whep/turn", lessonToken(t, a, "turn", user, token.RoleStudent), offer.SDP, "X-Forwarded-For", xff)
	if resp.StatusCode != want || (want == http.StatusTooManyRequests && !strings.Contains(body, signaling.CodeTooManySessions)) {
		t.Fatalf("WHEP as %s from %q: %d %s, want %d", user, xff, resp.StatusCode, body, want)
	}
}

// wantWSJoin joins over the WebSocket as user with X-Forwarded-For xff,
// and checks that the join is accepted, or refused for too many sessions.
func wantWSJoin(t *testing.T, a *app.App, srv *httptest.Server, user, xff string, ok bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := peer.DialHeader(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc", http.Header{"X-Forwarded-For": {xff}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	_, err = c.Request(ctx, signaling.TypeJoin, signaling.JoinRequest{Token: lessonToken(t, a, "turn", user, token.RoleStudent)})
	switch {
	case ok && err != nil:
		t.Fatalf("WebSocket join as %s from %q: %v", user, xff, err)
	case !ok && !peer.IsError(err, signaling.CodeTooManySessions):
		t.Fatalf("WebSocket join as %s from %q: %v, want %s", user, xff, err, signaling.CodeTooManySessions)
	}
}
