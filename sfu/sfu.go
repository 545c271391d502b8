package sfu

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"
)

// SFU owns the media rooms of one server.
type SFU struct {
	cfg    Config
	log    *slog.Logger
	se     webrtc.SettingEngine
	lf     logging.LoggerFactory
	pubAPI *webrtc.API
	tags   *ridTagger // untagged simulcast publishers (ridtag.go)

	udpConn net.PacketConn // nil unless ICEUDPAddr is set
	batch   *batchConn     // udpConn's writer, batching fan-outs
	udpMux  ice.UDPMux
	tcpLn   net.Listener
	tcpMux  ice.TCPMux

	pacer pacer // paces every subscriber's padding probes (probe.go)

	hooks testHooks // nil in production
	ctr   counters  // the figures Stats reads

	mu     sync.Mutex // guards rooms and closed
	rooms  map[string]*Room
	closed bool
}

// New starts an SFU.
func New(cfg Config) (*SFU, error) {
	cfg = cfg.withDefaults()
	s := &SFU{cfg: cfg, log: cfg.Logger, rooms: map[string]*Room{}}
	lf := NewLoggerFactory(cfg.Logger, cfg.PionLogLevel)
	s.lf = lf
	se := webrtc.SettingEngine{LoggerFactory: lf}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4})
	if cfg.Net != nil {
		se.SetNet(cfg.Net)
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		cfg.Loopback, cfg.ICEUDPAddr, cfg.ICETCPAddr = false, "", ""
		s.cfg = cfg
	}
	if cfg.Loopback {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	}
	if len(cfg.NAT1To1IPs) > 0 {
		se.SetNAT1To1IPs(cfg.NAT1To1IPs, webrtc.ICECandidateTypeHost)
	}
	if cfg.ICEUDPAddr != "" {
		conn, err := net.ListenPacket("udp4", cfg.ICEUDPAddr)
		if err != nil {
			return nil, fmt.Errorf("sfu: ICE UDP socket: %w", err)
		}
		s.udpConn = conn
		s.batch = newBatchConn(conn)
		s.pacer.fan = fanout{s.batch}
		s.udpMux = webrtc.NewICEUDPMux(lf.NewLogger("udpmux"), s.batch)
		se.SetICEUDPMux(s.udpMux)
	} else if cfg.PortMin != 0 || cfg.PortMax != 0 {
		if err := se.SetEphemeralUDPPortRange(cfg.PortMin, cfg.PortMax); err != nil {
			return nil, fmt.Errorf("sfu: port range: %w", err)
		}
	}
	if cfg.ICETCPAddr != "" {
		ln, err := net.Listen("tcp4", cfg.ICETCPAddr)
		if err != nil {
			s.closeSockets()
			return nil, fmt.Errorf("sfu: ICE TCP listener: %w", err)
		}
		s.tcpLn = ln
		s.tcpMux = webrtc.NewICETCPMux(lf.NewLogger("tcpmux"), ln, 8)
		se.SetICETCPMux(s.tcpMux)
	} else if cfg.Net == nil {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	s.se = se
	s.tags = newRIDTagger()
	api, err := newPublisherAPI(se, s.tags)
	if err != nil {
		s.closeSockets()
		return nil, err
	}
	s.pubAPI = api
	return s, nil
}

// ICEUDPAddr returns the address of the shared ICE UDP socket, if any.
func (s *SFU) ICEUDPAddr() net.Addr {
	if s.udpConn == nil {
		return nil
	}
	return s.udpConn.LocalAddr()
}

// Join adds a participant to the room roomID, creating the room on first
// join. A participant already in the room with the same id is closed first.
func (s *SFU) Join(roomID string, pc ParticipantConfig) (*Participant, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	r := s.rooms[roomID]
	if r == nil {
		r = newRoom(s, roomID)
		s.rooms[roomID] = r
	}
	s.mu.Unlock()
	return r.join(pc)
}

// Room returns the room with that id, or nil.
func (s *SFU) Room(id string) *Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rooms[id]
}

// RoomCount returns the number of open rooms.
func (s *SFU) RoomCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rooms)
}

// removeRoom forgets r if it is still the room registered under its id.
func (s *SFU) removeRoom(r *Room) {
	s.mu.Lock()
	if s.rooms[r.id] == r {
		delete(s.rooms, r.id)
	}
	s.mu.Unlock()
}

// Close closes every room, then every peer, and waits for their goroutines.
// It is safe to call more than once.
func (s *SFU) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	rooms := make([]*Room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	for _, r := range rooms {
		r.Close()
	}
	s.pacer.wait()
	return s.closeSockets()
}

func (s *SFU) closeSockets() error {
	var errs []error
	if s.udpMux != nil {
		errs = append(errs, s.udpMux.Close())
	}
	if s.udpConn != nil {
		if err := s.udpConn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if s.tcpMux != nil {
		errs = append(errs, s.tcpMux.Close())
	}
	if s.tcpLn != nil {
		if err := s.tcpLn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
