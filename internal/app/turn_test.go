package app_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"
)

// startTURN starts a whole server with the embedded TURN on loopback UDP
// and TCP.
func startTURN(t *testing.T) (*app.App, *httptest.Server) {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Secret: secret, Loopback: true, ICEUDPAddr: "127.0.0.1:0",
		TURN: app.TURNConfig{UDPAddr: "127.0.0.1:0", TCPAddr: "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); _ = a.Close() })
	return a, srv
}

// noUDP is a network on which every UDP socket fails: a client behind a
// firewall that drops UDP.
type noUDP struct{ transport.Net }

var errUDPBlocked = errors.New("UDP is blocked on this network")

func (noUDP) ListenPacket(string, string) (net.PacketConn, error) { return nil, errUDPBlocked }
func (noUDP) ListenUDP(string, *net.UDPAddr) (transport.UDPConn, error) {
	return nil, errUDPBlocked
}
func (noUDP) DialUDP(string, *net.UDPAddr, *net.UDPAddr) (transport.UDPConn, error) {
	return nil, errUDPBlocked
}
func (n noUDP) Dial(network, address string) (net.Conn, error) {
	if strings.HasPrefix(network, "udp") {
		return nil, errUDPBlocked
	}
	return n.Net.Dial(network, address)
}

// relayAPI is a Pion API for a client that may only use the given
// network types (its own host candidates are unused under a relay
// policy); with blockUDP every UDP socket it opens fails.
func relayAPI(t *testing.T, blockUDP bool, types ...webrtc.NetworkType) *webrtc.API {
	t.Helper()
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes(types)
	if blockUDP {
		n, err := stdnet.NewNet()
		if err != nil {
			t.Fatal(err)
		}
		se.SetNet(noUDP{n})
	}
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return clientAPI(t, se)
}

// clientAPI is a Pion API with the default codecs and interceptors, no
// mDNS, and the settings se.
func clientAPI(t *testing.T, se webrtc.SettingEngine) *webrtc.API {
	t.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		t.Fatal(err)
	}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se))
}

// relayedStudent joins as a student whose subscriber may only use relay
// candidates through the TURN URLs of its join answer that keep(url).
func relayedStudent(t *testing.T, a *app.App, srv *httptest.Server, user string, api *webrtc.API, keep func(string) bool) (*peer.Subscriber, signaling.ICEServer) {
	t.Helper()
	sub, err := peer.NewSubscriber(api)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.PC.Close() })
	c := joinLesson(t, a, srv, "turn", user, token.RoleStudent, sub)
	return sub, relayOnly(t, sub, c.Joined, user, keep)
}

// relayOnly restricts sub to relay candidates through the TURN servers of
// the join answer j whose URLs keep(url), and returns them.
func relayOnly(t *testing.T, sub *peer.Subscriber, j signaling.Joined, user string, keep func(string) bool) signaling.ICEServer {
	t.Helper()
	var turnSrv signaling.ICEServer
	for _, s := range j.ICEServers {
		for _, u := range s.URLs {
			if (strings.HasPrefix(u, "turn:") || strings.HasPrefix(u, "turns:")) && keep(u) {
				turnSrv.URLs = append(turnSrv.URLs, u)
				turnSrv.Username, turnSrv.Credential = s.Username, s.Credential
			}
		}
	}
	if len(turnSrv.URLs) == 0 || turnSrv.Username == "" || !strings.HasSuffix(turnSrv.Username, ":"+user) {
		t.Fatalf("join answer carries no usable TURN server: %+v", j.ICEServers)
	}
	if err := sub.PC.SetConfiguration(webrtc.Configuration{ICETransportPolicy: webrtc.ICETransportPolicyRelay,
		ICEServers: []webrtc.ICEServer{{URLs: turnSrv.URLs, Username: turnSrv.Username, Credential: turnSrv.Credential}}}); err != nil {
		t.Fatal(err)
	}
	return turnSrv
}

func joinLesson(t *testing.T, a *app.App, srv *httptest.Server, lesson, user string, role token.Role, sub *peer.Subscriber) *peer.Client {
	t.Helper()
	return joinAt(t, srv.URL, lessonToken(t, a, lesson, user, role), sub)
}

// lessonToken is an operator's join token for user in lesson.
func lessonToken(t *testing.T, a *app.App, lesson, user string, role token.Role) string {
	t.Helper()
	tok, err := a.Signer().Issue(token.Claims{Lesson: lesson, User: user, Name: user, Role: role, Permissions: token.DefaultPermissions(role), Operator: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// joinAt joins the server at the http:// URL base with tok, attaching sub.
func joinAt(t *testing.T, base, tok string, sub *peer.Subscriber) *peer.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := peer.Join(ctx, "ws"+strings.TrimPrefix(base, "http")+"/rtc", tok, sub)
	if err != nil {
		t.Fatalf("join: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// teach joins a teacher who publishes the test clips.
func teach(t *testing.T, a *app.App, srv *httptest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	peer.Teach(t, ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc", lessonToken(t, a, "turn", "teacher", token.RoleTeacher), peer.NewTeacher)
}

// expectMedia waits for video keyframes and audio on sub and returns the
// local candidate of its selected pair.
func expectMedia(t *testing.T, sub *peer.Subscriber) webrtc.ICECandidateStats {
	t.Helper()
	v := sub.WaitTrack(webrtc.RTPCodecTypeVideo, 20*time.Second)
	au := sub.WaitTrack(webrtc.RTPCodecTypeAudio, 5*time.Second)
	if v == nil || au == nil {
		t.Fatalf("video %v, audio %v", v != nil, au != nil)
	}
	if !v.WaitKeyframe(10*time.Second) || !au.WaitPacket(5*time.Second) {
		t.Fatal("no keyframe or no audio")
	}
	time.Sleep(time.Second)
	if st := v.Stats(); !st.FirstFrameIsKeyframe || st.Frames < 10 {
		t.Errorf("video: %+v", st)
	}
	stats := sub.PC.GetStats()
	for _, s := range stats {
		if p, ok := s.(webrtc.ICECandidatePairStats); ok && p.Nominated && p.State == webrtc.StatsICECandidatePairStateSucceeded {
			if l, ok := stats[p.LocalCandidateID].(webrtc.ICECandidateStats); ok {
				return l
			}
		}
	}
	t.Fatal("media arrived but no candidate pair is selected")
	return webrtc.ICECandidateStats{}
}

// expectRelayedMedia waits for media on sub through a relayed pair.
func expectRelayedMedia(t *testing.T, sub *peer.Subscriber) {
	t.Helper()
	if l := expectMedia(t, sub); l.CandidateType != webrtc.ICECandidateTypeRelay {
		t.Errorf("the selected candidate pair is not relayed: %+v", l)
	}
}

// TestRelayOnlyClientReceivesMedia: a student restricted to relay
// candidates receives the teacher's media through the embedded TURN over
// UDP, with the per-participant credentials of its join answer.
func TestRelayOnlyClientReceivesMedia(t *testing.T) {
	a, srv := startTURN(t)
	sub, _ := relayedStudent(t, a, srv, "student", relayAPI(t, false, webrtc.NetworkTypeUDP4),
		func(u string) bool { return strings.HasSuffix(u, "transport=udp") })
	teach(t, a, srv)
	expectRelayedMedia(t, sub)
	if a.TURN().Allocations() == 0 {
		t.Error("the TURN server holds no allocation")
	}
}

// TestUDPBlockedClientReceivesMedia: a student whose every UDP socket
// fails (a Pion client on a network that refuses UDP) reaches the
// embedded TURN over TCP and receives the teacher's media through it.
func TestUDPBlockedClientReceivesMedia(t *testing.T) {
	a, srv := startTURN(t)
	sub, _ := relayedStudent(t, a, srv, "student", relayAPI(t, true, webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4),
		func(u string) bool { return strings.HasSuffix(u, "transport=tcp") })
	teach(t, a, srv)
	expectRelayedMedia(t, sub)
}

// TestTURNRefusesOtherPeers: with a participant's own credentials, an
// allocation may not open a permission to anything but the server.
func TestTURNRefusesOtherPeers(t *testing.T) {
	a, srv := startTURN(t)
	_, cred := relayedStudent(t, a, srv, "student", relayAPI(t, false, webrtc.NetworkTypeUDP4),
		func(u string) bool { return strings.HasSuffix(u, "transport=udp") })
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	addr := a.TURN().Addrs()[0].String()
	c, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: addr, STUNServerAddr: addr, Username: cred.Username, Password: cred.Credential,
		Realm: "lectern", Conn: conn, RTO: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	rc, err := c.Allocate()
	if err != nil {
		t.Fatalf("allocation with the join answer's credentials: %v", err)
	}
	defer rc.Close()
	perm := rc.(interface{ CreatePermissions(...net.Addr) error })
	if err := perm.CreatePermissions(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 9}); err == nil {
		t.Fatal("permission to a peer that is not the server was granted")
	}
	if err := perm.CreatePermissions(a.SFU().ICEUDPAddr()); err != nil {
		t.Fatalf("permission to the server's media address: %v", err)
	}
}

// TestWHEPLinksICEServers: a WHEP answer carries the TURN servers with
// credentials as RFC 9725 Link headers.
func TestWHEPLinksICEServers(t *testing.T) {
	a, srv := startTURN(t)
	tok, err := a.Signer().Issue(token.Claims{Lesson: "turn", User: "viewer", Name: "v", Role: token.RoleStudent,
		Permissions: token.DefaultPermissions(token.RoleStudent), Operator: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := peer.NewSubscriber(relayAPI(t, false, webrtc.NetworkTypeUDP4))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.PC.Close()
	peer.ReceiveOnly(t, sub.PC)
	offer, err := sub.PC.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = sub.PC.SetLocalDescription(offer)
	resp, _ := postSDP(t, srv.URL+"/whep/turn", tok, offer.SDP)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHEP: %s", resp.Status)
	}
	links := resp.Header.Values("Link")
	var udp, tcp bool
	for _, l := range links {
		if !strings.Contains(l, `rel="ice-server"`) || !strings.Contains(l, `:viewer"`) || !strings.Contains(l, `credential-type="password"`) {
			t.Errorf("Link %q", l)
		}
		udp = udp || strings.HasPrefix(l, "<turn:127.0.0.1:") && strings.Contains(l, "transport=udp>")
		tcp = tcp || strings.Contains(l, "transport=tcp>")
	}
	if !udp || !tcp {
		t.Fatalf("Links %q lack the UDP or TCP TURN server", links)
	}
}
