package relay

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v5"
)

// Config configures the embedded TURN server.
type Config struct {
	// Secret is the shared secret of the credentials (coturn's
	// static-auth-secret). Required.
	Secret []byte
	// Realm is the TURN realm. Default "lectern".
	Realm string
	// UDPAddr, TCPAddr and TLSAddr are listen addresses (e.g. ":3478",
	// ":3478", ":5349"); empty ones are not opened. TLSAddr needs TLS.
	UDPAddr, TCPAddr, TLSAddr string
	// TLS is the certificate configuration of TLSAddr.
	TLS *tls.Config
	// RelayIP is the address relayed candidates carry and relay sockets
	// bind to. The relay only talks to this server, so a local address
	// does: default 127.0.0.1 when every peer is loopback, else 0.0.0.0
	// announced as the first non-loopback peer address.
	RelayIP net.IP
	// Peers are the only addresses a relay may reach.
	Peers MediaAddrs
	// Logger receives the server's own lines; PionLogs Pion's.
	Logger   *slog.Logger
	PionLogs logging.LoggerFactory
}

// Server is a running TURN server.
type Server struct {
	turn      *turn.Server
	listeners []net.Addr
	closers   []func() error
}

// New opens the listeners and starts serving.
func New(cfg Config) (*Server, error) {
	if len(cfg.Secret) == 0 {
		return nil, ErrNoSecret
	}
	if cfg.UDPAddr == "" && cfg.TCPAddr == "" && cfg.TLSAddr == "" {
		return nil, ErrNoListener
	}
	if cfg.TLSAddr != "" && cfg.TLS == nil {
		return nil, errors.New("relay: a TLS listener needs a certificate")
	}
	if cfg.Realm == "" {
		cfg.Realm = "lectern"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PionLogs == nil {
		f := logging.NewDefaultLoggerFactory()
		f.DefaultLogLevel = logging.LogLevelDisabled
		cfg.PionLogs = f
	}
	gen := &addressGenerator{static: staticGenerator(cfg), allow: cfg.Peers.Allow}
	perm := func(_ net.Addr, ip net.IP) bool {
		ok := cfg.Peers.AllowIP(ip)
		if !ok {
			cfg.Logger.Debug("turn permission refused", "peer", ip.String())
		}
		return ok
	}
	s := &Server{}
	sc := turn.ServerConfig{Realm: cfg.Realm, LoggerFactory: cfg.PionLogs, AuthHandler: authHandler(cfg.Secret, cfg.Logger)}
	if cfg.UDPAddr != "" {
		pc, err := net.ListenPacket("udp4", cfg.UDPAddr)
		if err != nil {
			return nil, fmt.Errorf("relay: TURN UDP listener: %w", err)
		}
		s.add(pc.LocalAddr(), pc.Close)
		sc.PacketConnConfigs = append(sc.PacketConnConfigs, turn.PacketConnConfig{PacketConn: pc, RelayAddressGenerator: gen, PermissionHandler: perm})
	}
	for _, l := range []struct {
		addr string
		tls  bool
	}{{cfg.TCPAddr, false}, {cfg.TLSAddr, true}} {
		if l.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp4", l.addr)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("relay: TURN TCP listener: %w", err)
		}
		s.add(ln.Addr(), ln.Close)
		if l.tls {
			ln = tls.NewListener(ln, cfg.TLS)
		}
		sc.ListenerConfigs = append(sc.ListenerConfigs, turn.ListenerConfig{Listener: ln, RelayAddressGenerator: gen, PermissionHandler: perm})
	}
	ts, err := turn.NewServer(sc)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("relay: %w", err)
	}
	s.turn = ts
	cfg.Logger.Info("turn listening", "addrs", fmt.Sprint(s.listeners))
	return s, nil
}

func (s *Server) add(a net.Addr, closer func() error) {
	s.listeners = append(s.listeners, a)
	s.closers = append(s.closers, closer)
}

func (s *Server) close() {
	for _, c := range s.closers {
		_ = c()
	}
}

// Addrs returns the listening addresses (UDP first, then TCP, then TLS,
// those configured).
func (s *Server) Addrs() []net.Addr { return s.listeners }

// Allocations returns the number of live allocations.
func (s *Server) Allocations() int { return s.turn.AllocationCount() }

// Close stops the server and waits for its goroutines. It is safe to call
// more than once.
func (s *Server) Close() error {
	if s.turn == nil {
		return nil
	}
	err := s.turn.Close()
	s.turn = nil
	return err
}

// authHandler checks use-auth-secret credentials.
func authHandler(secret []byte, log *slog.Logger) turn.AuthHandler {
	return func(ra *turn.RequestAttributes) (string, []byte, bool) {
		pw, ok := checkUsername(secret, ra.Username, time.Now())
		if !ok {
			log.Debug("turn credentials refused", "username", ra.Username, "from", fmt.Sprint(ra.SrcAddr))
			return "", nil, false
		}
		return ra.Username, turn.GenerateAuthKey(ra.Username, ra.Realm, pw), true
	}
}

func staticGenerator(cfg Config) *turn.RelayAddressGeneratorStatic {
	ip, bind := cfg.RelayIP, "0.0.0.0"
	if ip == nil {
		ip = net.IPv4(127, 0, 0, 1)
		for _, p := range cfg.Peers.IPs {
			if !p.IsLoopback() && p.To4() != nil {
				ip = p
				break
			}
		}
		if ip.IsLoopback() {
			bind = ip.String()
		}
	} else {
		bind = ip.String()
	}
	return &turn.RelayAddressGeneratorStatic{RelayAddress: ip, Address: bind}
}

// addressGenerator hands out UDP relay sockets that only reach the
// server's media addresses, and refuses TCP allocations.
type addressGenerator struct {
	static *turn.RelayAddressGeneratorStatic
	allow  func(net.Addr) bool
}

func (g *addressGenerator) Validate() error { return g.static.Validate() }

func (g *addressGenerator) AllocatePacketConn(c turn.AllocateListenerConfig) (net.PacketConn, net.Addr, error) {
	pc, addr, err := g.static.AllocatePacketConn(c)
	if err != nil {
		return nil, nil, err
	}
	return filteredConn{PacketConn: pc, allow: g.allow}, addr, nil
}

func (g *addressGenerator) AllocateListener(turn.AllocateListenerConfig) (net.Listener, net.Addr, error) {
	return nil, nil, ErrTCPAllocation
}

func (g *addressGenerator) AllocateConn(turn.AllocateConnConfig) (net.Conn, error) {
	return nil, ErrTCPAllocation
}
