package relay

import (
	"net"
	"slices"
)

// MediaAddrs describes this server's media addresses, the only peers
// a relay may reach.
type MediaAddrs struct {
	// IPs are the server's own addresses (its interfaces and any public
	// 1:1 NAT addresses).
	IPs []net.IP
	// Ports are the exact UDP ports ICE listens on; when empty, any port
	// in [PortMin, PortMax] is allowed.
	Ports            []int
	PortMin, PortMax int
}

// AllowIP reports whether ip is one of the server's addresses.
func (m MediaAddrs) AllowIP(ip net.IP) bool {
	return slices.ContainsFunc(m.IPs, ip.Equal)
}

// Allow reports whether addr is one of the server's media addresses.
func (m MediaAddrs) Allow(addr net.Addr) bool {
	u, ok := addr.(*net.UDPAddr)
	if !ok || !m.AllowIP(u.IP) {
		return false
	}
	if len(m.Ports) > 0 {
		return slices.Contains(m.Ports, u.Port)
	}
	return u.Port >= m.PortMin && u.Port <= m.PortMax && u.Port > 0
}

// filteredConn is a relay socket that drops datagrams towards any address
// that is not a media address of this server.
type filteredConn struct {
	net.PacketConn
	allow func(net.Addr) bool
}

func (c filteredConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if !c.allow(addr) {
		return 0, ErrPeerRefused
	}
	return c.PacketConn.WriteTo(p, addr)
}

// ReadFrom drops datagrams from anyone but the server's media addresses,
// so a relay port found by a scan delivers nothing to the client.
func (c filteredConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		n, addr, err := c.PacketConn.ReadFrom(p)
		if err != nil || c.allow(addr) {
			return n, addr, err
		}
	}
}
