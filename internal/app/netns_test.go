package app_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// The network-namespace test runs in three processes, all this test
// binary: the test itself, which starts the server's process in a network
// namespace of its own (so that nothing is added to the machine's network),
// and that one starts the student's process in a second namespace, joined
// to the first by a veth pair. In the student's namespace a policy rule
// refuses every UDP packet: a campus network that blocks UDP.
const (
	netnsLinkEnv   = "LECTERN_NETNS_LINK" // the student's end of the veth pair
	netnsAddrEnv   = "LECTERN_NETNS_ADDR" // the student's address, CIDR
	netnsServerEnv = "LECTERN_NETNS_SERVER"
	netnsTokenEnv  = "LECTERN_NETNS_TOKEN"
	netnsPathEnv   = "LECTERN_NETNS_PATH" // "relay-tcp" or "ice-tcp": the path the media must take
)

// TestUDPBlockedNetnsClientReceivesMedia: a student in a network namespace
// whose UDP is refused by a policy rule (`ip rule ... ipproto udp
// prohibit`) receives the teacher's media over TCP: through the embedded
// TURN over TCP when the server has no ICE-TCP, and over ICE-TCP when it
// has no TURN. The student checks that a UDP send to the server really
// fails, and that its selected candidate pair is TCP.
func TestUDPBlockedNetnsClientReceivesMedia(t *testing.T) {
	switch os.Getenv(childRoleEnv) {
	case "server":
		netnsServer(t)
		return
	case "student":
		netnsStudent(t)
		return
	}
	testenv.Require(t, "a network namespace (root, ip)", testenv.NetNS())
	startChild(t, "server", 4*time.Minute, nil, true).check(t, "the server's namespace", nil)
}

// ipCmd runs iproute2's ip in this process's namespace.
func ipCmd(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// netnsServer runs in the server's namespace: for each path, a veth pair
// to a new student namespace, a whole server on this end's address, and a
// teacher who publishes once the student has joined.
func netnsServer(t *testing.T) {
	ipCmd(t, "link", "set", "lo", "up")
	for i, path := range []string{"relay-tcp", "ice-tcp"} {
		t.Run(path, func(t *testing.T) {
			n := i + 1
			serverIP, studentIP := fmt.Sprintf("10.77.%d.1", n), fmt.Sprintf("10.77.%d.2", n)
			link, studentLink := fmt.Sprintf("lec%d", n), fmt.Sprintf("lec%ds", n)
			ipCmd(t, "link", "add", link, "type", "veth", "peer", "name", studentLink)
			ipCmd(t, "addr", "add", serverIP+"/24", "dev", link)
			ipCmd(t, "link", "set", link, "up")

			cfg := app.Config{DataDir: t.TempDir(), Secret: secret, ICEUDPAddr: serverIP + ":0"}
			if path == "ice-tcp" {
				cfg.ICETCPAddr = serverIP + ":0"
			} else {
				cfg.TURN = app.TURNConfig{UDPAddr: serverIP + ":0", TCPAddr: serverIP + ":0", Host: serverIP}
			}
			a, err := app.New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(a.Handler())
			ln, err := net.Listen("tcp4", serverIP+":0")
			if err != nil {
				t.Fatal(err)
			}
			srv.Listener = ln
			srv.Start()
			t.Cleanup(func() { srv.Close(); _ = a.Close() })

			tok := lessonToken(t, a, "turn", "student", token.RoleStudent)
			student := startChild(t, "student", 90*time.Second, map[string]string{netnsLinkEnv: studentLink,
				netnsAddrEnv: studentIP + "/24", netnsServerEnv: srv.URL, netnsTokenEnv: tok, netnsPathEnv: path}, true)
			ipCmd(t, "link", "set", studentLink, "netns", fmt.Sprint(student.cmd.Process.Pid))
			student.check(t, "the student over "+path, func() { teach(t, a, srv) })
		})
	}
}

// netnsStudent runs in the student's namespace: it waits for its end of
// the veth pair, brings it up, refuses UDP, checks that UDP is refused,
// joins, and receives media over the path it was told.
func netnsStudent(t *testing.T) {
	link, addr, path := os.Getenv(netnsLinkEnv), os.Getenv(netnsAddrEnv), os.Getenv(netnsPathEnv)
	for i := 0; ; i++ {
		if _, err := net.InterfaceByName(link); err == nil {
			break
		} else if i == 500 {
			t.Fatalf("%s never arrived in this namespace: %v", link, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ipCmd(t, "link", "set", "lo", "up")
	ipCmd(t, "addr", "add", addr, "dev", link)
	ipCmd(t, "link", "set", link, "up")
	// The local table (preference 0) comes first, so the student's own
	// addresses still answer; everything else over UDP is refused.
	ipCmd(t, "rule", "add", "pref", "10", "ipproto", "udp", "prohibit")

	server := os.Getenv(netnsServerEnv) // http://10.77.n.1:port
	host := strings.TrimPrefix(server, "http://")
	host = host[:strings.LastIndex(host, ":")]
	if err := sendUDP(net.JoinHostPort(host, "9")); !errors.Is(err, syscall.EACCES) {
		t.Fatalf("a UDP send to the server: %v, want %v (refused by the rule)", err, syscall.EACCES)
	}

	ip, _, _ := net.ParseCIDR(addr)
	sub, err := peer.NewSubscriber(netnsAPI(t, ip))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.PC.Close()
	c := joinAt(t, server, os.Getenv(netnsTokenEnv), sub)
	// As a browser does: every ICE server of the join answer, every
	// candidate type.
	var servers []webrtc.ICEServer
	for _, s := range c.Joined.ICEServers {
		servers = append(servers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	if (path == "relay-tcp") != (len(servers) > 0) {
		t.Fatalf("ICE servers in the join answer: %+v", c.Joined.ICEServers)
	}
	if err := sub.PC.SetConfiguration(webrtc.Configuration{ICEServers: servers}); err != nil {
		t.Fatal(err)
	}
	fmt.Println(childReady)

	local := expectMedia(t, sub)
	t.Logf("selected local candidate: %s %s, relay protocol %q", local.CandidateType, local.Protocol, local.RelayProtocol)
	switch path {
	case "relay-tcp":
		if local.CandidateType != webrtc.ICECandidateTypeRelay || local.RelayProtocol != "tcp" {
			t.Errorf("media did not come through the TURN relay over TCP: %+v", local)
		}
	case "ice-tcp":
		if local.CandidateType != webrtc.ICECandidateTypeHost || local.Protocol != "tcp" {
			t.Errorf("media did not come over ICE-TCP: %+v", local)
		}
	}
}

// sendUDP sends one datagram to addr.
func sendUDP(addr string) error {
	c, err := net.Dial("udp4", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte("x"))
	return err
}

// netnsAPI is a student's Pion API on the address ip only, UDP and TCP.
func netnsAPI(t *testing.T, ip net.IP) *webrtc.API {
	t.Helper()
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4})
	se.SetIPFilter(ip.Equal)
	return clientAPI(t, se)
}
