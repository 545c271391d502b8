package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/lectern/lectern/internal/relay"
	"github.com/lectern/lectern/signaling"
)

// TURNConfig configures the embedded TURN server and the STUN/TURN servers
// handed to clients.
type TURNConfig struct {
	// UDPAddr, TCPAddr and TLSAddr are the embedded TURN server's listen
	// addresses; all empty: no embedded TURN.
	UDPAddr, TCPAddr, TLSAddr string
	// CertFile and KeyFile are the TLS certificate of TLSAddr.
	CertFile, KeyFile string
	// Host is the host name or IP put in the turn: URLs given to clients.
	// Default: the first public IP, else the host of the public URL.
	Host string
	// Secret is the shared secret of the ephemeral credentials (coturn's
	// static-auth-secret); nil derives one from the server secret.
	Secret []byte
	// TTL is how long a participant's credentials stay valid. Default 12 h.
	TTL time.Duration
	// External are the turn:/turns: URLs of an external TURN server (a
	// coturn with use-auth-secret and the same Secret).
	External []string
	// STUN are stun: URLs handed to clients as they are.
	STUN []string
}

func (c TURNConfig) embedded() bool { return c.UDPAddr != "" || c.TCPAddr != "" || c.TLSAddr != "" }

// iceServers hands each participant its ICE servers: STUN as configured,
// and TURN with credentials of its own.
type iceServers struct {
	static []signaling.ICEServer
	turn   []string
	secret []byte
	ttl    time.Duration
}

func (s *iceServers) forUser(user string) []signaling.ICEServer {
	out := append([]signaling.ICEServer(nil), s.static...)
	if len(s.turn) > 0 {
		name, pw := relay.Credentials(s.secret, user, s.ttl, time.Now())
		out = append(out, signaling.ICEServer{URLs: s.turn, Username: name, Credential: pw})
	}
	return out
}

// wireTURN starts the embedded TURN server if configured and returns the
// per-participant ICE servers.
func (a *App) wireTURN(secret []byte) (*iceServers, error) {
	tc := a.cfg.TURN
	is := &iceServers{static: append([]signaling.ICEServer(nil), a.cfg.ICEServers...), ttl: tc.TTL, secret: tc.Secret}
	if is.ttl <= 0 {
		is.ttl = 12 * time.Hour
	}
	if is.secret == nil {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte("lectern turn secret"))
		is.secret = mac.Sum(nil)
	}
	if len(tc.STUN) > 0 {
		is.static = append(is.static, signaling.ICEServer{URLs: tc.STUN})
	}
	is.turn = append(is.turn, tc.External...)
	if !tc.embedded() {
		return is, nil
	}
	var tlsCfg *tls.Config
	if tc.TLSAddr != "" {
		cert, err := tls.LoadX509KeyPair(tc.CertFile, tc.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("app: TURN TLS certificate: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	srv, err := relay.New(relay.Config{Secret: is.secret, UDPAddr: tc.UDPAddr, TCPAddr: tc.TCPAddr, TLSAddr: tc.TLSAddr, TLS: tlsCfg,
		Peers: a.mediaAddrs(), Logger: a.log.With("subsystem", "turn"), PionLogs: a.sfu.PionLogs()})
	if err != nil {
		return nil, err
	}
	a.turn = srv
	a.closers = append(a.closers, srv.Close)
	host := tc.Host
	if host == "" {
		host = a.defaultTURNHost()
	}
	addrs := srv.Addrs()
	i := 0
	if tc.UDPAddr != "" {
		is.turn = append(is.turn, "turn:"+net.JoinHostPort(host, port(addrs[i]))+"?transport=udp")
		i++
	}
	if tc.TCPAddr != "" {
		is.turn = append(is.turn, "turn:"+net.JoinHostPort(host, port(addrs[i]))+"?transport=tcp")
		i++
	}
	if tc.TLSAddr != "" {
		is.turn = append(is.turn, "turns:"+net.JoinHostPort(host, port(addrs[i]))+"?transport=tcp")
	}
	return is, nil
}

// TURN returns the embedded TURN server, or nil.
func (a *App) TURN() *relay.Server { return a.turn }

func port(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}

func (a *App) defaultTURNHost() string {
	if a.cfg.Loopback {
		return "127.0.0.1"
	}
	if len(a.cfg.NAT1To1IPs) > 0 {
		return a.cfg.NAT1To1IPs[0]
	}
	if u, err := url.Parse(a.cfg.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// mediaAddrs are this server's ICE addresses: the only peers its relay
// may reach.
func (a *App) mediaAddrs() relay.MediaAddrs {
	var m relay.MediaAddrs
	if a.cfg.Loopback {
		m.IPs = []net.IP{net.IPv4(127, 0, 0, 1)}
	} else {
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, ad := range addrs {
				if n, ok := ad.(*net.IPNet); ok {
					m.IPs = append(m.IPs, n.IP)
				}
			}
		}
		for _, s := range a.cfg.NAT1To1IPs {
			if ip := net.ParseIP(s); ip != nil {
				m.IPs = append(m.IPs, ip)
			}
		}
	}
	switch {
	case a.sfu.ICEUDPAddr() != nil:
		p, _ := strconv.Atoi(port(a.sfu.ICEUDPAddr()))
		m.Ports = []int{p}
	case a.cfg.PortMin != 0 || a.cfg.PortMax != 0:
		m.PortMin, m.PortMax = int(a.cfg.PortMin), int(a.cfg.PortMax)
	default:
		// Ephemeral ICE ports: anything but the well-known ones.
		m.PortMin, m.PortMax = 1024, 65535
	}
	return m
}
