package relay

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v5"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// startRelay starts a TURN server on loopback whose only allowed peer is
// the UDP socket media.
func startRelay(t testing.TB, media *net.UDPAddr) *Server {
	t.Helper()
	s, err := New(Config{Secret: secret, UDPAddr: "127.0.0.1:0", TCPAddr: "127.0.0.1:0",
		Peers: MediaAddrs{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Ports: []int{media.Port}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func udpListener(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// allocate returns a relayed socket allocated on s with the credentials.
func allocate(t testing.TB, s *Server, user, pass string) (net.PacketConn, error) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: s.Addrs()[0].String(), STUNServerAddr: s.Addrs()[0].String(),
		Username: user, Password: pass, Realm: "lectern", Conn: conn, RTO: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	return c.Allocate()
}

type permissioner interface {
	CreatePermissions(addrs ...net.Addr) error
}

func TestCredentialsMatchTURNRESTScheme(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	user, pass := Credentials(secret, "u:1", time.Hour, now)
	if user != "1700003600:u_1" {
		t.Fatalf("username %q", user)
	}
	// The password pion's own TURN REST handler expects for a username.
	user, pass = Credentials(secret, "u:1", time.Hour, time.Now())
	key := turn.GenerateAuthKey(user, "lectern", pass)
	f := logging.NewDefaultLoggerFactory()
	f.DefaultLogLevel = logging.LogLevelDisabled
	_, want, ok := turn.LongTermTURNRESTAuthHandler(string(secret), f.NewLogger("t"))(&turn.RequestAttributes{Username: user, Realm: "lectern"})
	if !ok || !bytes.Equal(key, want) {
		t.Fatalf("password %q is not the coturn use-auth-secret one", pass)
	}
	if _, ok := checkUsername(secret, user, time.Now().Add(2*time.Hour)); ok {
		t.Fatal("expired username accepted")
	}
	if _, ok := checkUsername(secret, "abc:u", now); ok {
		t.Fatal("malformed username accepted")
	}
}

func TestRelayReachesOnlyMediaAddress(t *testing.T) {
	media, other := udpListener(t), udpListener(t)
	s := startRelay(t, media.LocalAddr().(*net.UDPAddr))
	user, pass := Credentials(secret, "alice", time.Hour, time.Now())
	rc, err := allocate(t, s, user, pass)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()

	// Another host entirely: the permission is refused.
	far := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 9}
	if err := rc.(permissioner).CreatePermissions(far); err == nil {
		t.Fatal("CreatePermission to a peer that is not the server was granted")
	}
	// The server's own address: permitted; the media port receives.
	if _, err := rc.WriteTo([]byte("hello"), media.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	_ = media.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := media.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("media port got %q, %v", buf[:n], err)
	}
	// And its answer comes back through the relay.
	if _, err := media.WriteTo([]byte("back"), from); err != nil {
		t.Fatal(err)
	}
	_ = rc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _, err := rc.ReadFrom(buf); err != nil || string(buf[:n]) != "back" {
		t.Fatalf("relay got %q, %v", buf[:n], err)
	}
	// Same IP, another port (any other service on the host): dropped.
	_, _ = rc.WriteTo([]byte("scan"), other.LocalAddr())
	_, _ = rc.WriteTo([]byte("again"), media.LocalAddr())
	_ = media.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _, err := media.ReadFrom(buf); err != nil || string(buf[:n]) != "again" {
		t.Fatalf("media port got %q, %v", buf[:n], err)
	}
	_ = other.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _, err := other.ReadFrom(buf); err == nil {
		t.Fatalf("a port that is not the media port received %q through the relay", buf[:n])
	}
}

func TestRelayRefusesBadCredentials(t *testing.T) {
	media := udpListener(t)
	s := startRelay(t, media.LocalAddr().(*net.UDPAddr))
	user, _ := Credentials(secret, "mallory", time.Hour, time.Now())
	if _, err := allocate(t, s, user, "wrong"); err == nil {
		t.Fatal("allocation with a wrong password succeeded")
	}
	user, pass := Credentials(secret, "mallory", -time.Minute, time.Now())
	if _, err := allocate(t, s, user, pass); err == nil {
		t.Fatal("allocation with expired credentials succeeded")
	}
	user, pass = Credentials([]byte("another secret of thirty-two bytes"), "mallory", time.Hour, time.Now())
	if _, err := allocate(t, s, user, pass); err == nil {
		t.Fatal("allocation with another secret's credentials succeeded")
	}
}
