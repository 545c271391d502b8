//go:build linux

package sfu

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawUDP reads and writes the ICE UDP socket with raw system calls
// (unix.RawSyscall6), still waiting for readiness through Go's netpoller
// (syscall.RawConn), instead of Go's syscall entry.
//
// Why: Go's syscall entry wakes the runtime's sysmon thread whenever it
// finds every P idle, and sysmon then polls every 20 µs for at least a
// millisecond. A forwarding server is idle between packets, so every
// packet that arrives, every sender report and every STUN keep-alive woke
// it: about 2,200 sysmon wake-ups a second at 100 students, 17–23 % of
// the server's CPU on this machine (docs/benchmarks.md, "sysmon"). The
// calls here are on a non-blocking socket and return in microseconds, so
// holding the P through them is what the runtime's own raw calls do.
type rawUDP struct {
	rc syscall.RawConn

	readMu sync.Mutex // one read at a time (the mux has one reader)
	rd     rawRead

	ops sync.Pool // *rawSend for writes outside a batch

	// The batch send, guarded by the batchConn's mu.
	hdrs   [maxBatch]unix.Mmsghdr
	iovs   [maxBatch]unix.Iovec
	names  [maxBatch]unix.RawSockaddrInet4
	from   int // hdrs[from:to] go in the next call
	to     int
	sent   int
	err    error
	sendFn func(uintptr) bool
}

type rawRead struct {
	buf  []byte
	name unix.RawSockaddrInet4
	n    int
	err  error
	fn   func(uintptr) bool
}

type rawSend struct {
	p    []byte
	name unix.RawSockaddrInet4
	n    int
	err  error
	fn   func(uintptr) bool
}

// newRawUDP returns nil when c is not an IPv4 UDP socket it can use.
func newRawUDP(c net.PacketConn) *rawUDP {
	uc, ok := c.(*net.UDPConn)
	if !ok {
		return nil
	}
	if a, ok := uc.LocalAddr().(*net.UDPAddr); !ok || a.IP.To4() == nil {
		return nil
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawUDP{rc: rc}
	r.rd.fn = r.rd.recv
	r.sendFn = r.sendBatch
	r.ops.New = func() any {
		op := &rawSend{}
		op.fn = op.send
		return op
	}
	return r
}

// errNotIPv4 is returned for a destination the IPv4 socket cannot reach.
var errNotIPv4 = errors.New("sfu: not an IPv4 UDP address")

// sockaddr fills sa from addr.
func sockaddr(sa *unix.RawSockaddrInet4, addr net.Addr) bool {
	var ap netip.AddrPort
	switch a := addr.(type) {
	case *net.UDPAddr:
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			return false
		}
		ap = netip.AddrPortFrom(ip.Unmap(), uint16(a.Port))
	default:
		return false
	}
	if !ap.Addr().Is4() {
		return false
	}
	sa.Family = unix.AF_INET
	sa.Port = uint16(ap.Port()>>8) | uint16(ap.Port()<<8) // network byte order
	sa.Addr = ap.Addr().As4()
	return true
}

// ReadFrom reads one datagram.
func (r *rawUDP) ReadFrom(p []byte) (int, net.Addr, error) {
	r.readMu.Lock()
	defer r.readMu.Unlock()
	rd := &r.rd
	rd.buf, rd.n, rd.err = p, 0, nil
	if err := r.rc.Read(rd.fn); err != nil {
		return 0, nil, err
	}
	rd.buf = nil
	if rd.err != nil {
		return 0, nil, rd.err
	}
	port := int(rd.name.Port>>8 | rd.name.Port<<8)
	return rd.n, &net.UDPAddr{IP: net.IPv4(rd.name.Addr[0], rd.name.Addr[1], rd.name.Addr[2], rd.name.Addr[3]), Port: port}, nil
}

func (rd *rawRead) recv(fd uintptr) bool {
	var p unsafe.Pointer
	if len(rd.buf) > 0 {
		p = unsafe.Pointer(&rd.buf[0])
	}
	l := uint32(unix.SizeofSockaddrInet4)
	n, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, fd, uintptr(p), uintptr(len(rd.buf)), 0,
		uintptr(unsafe.Pointer(&rd.name)), uintptr(unsafe.Pointer(&l)))
	switch e {
	case 0:
		rd.n = int(n)
	case unix.EAGAIN, unix.EINTR:
		return false // wait for the socket to be readable, then again
	default:
		rd.err = &net.OpError{Op: "read", Net: "udp", Err: e}
	}
	return true
}

// WriteTo sends one datagram at once.
func (r *rawUDP) WriteTo(p []byte, addr net.Addr) (int, error) {
	op := r.ops.Get().(*rawSend)
	defer r.ops.Put(op)
	if !sockaddr(&op.name, addr) {
		return 0, errNotIPv4
	}
	op.p, op.n, op.err = p, 0, nil
	err := r.rc.Write(op.fn)
	op.p = nil
	if err != nil {
		return 0, err
	}
	return op.n, op.err
}

func (op *rawSend) send(fd uintptr) bool {
	var p unsafe.Pointer
	if len(op.p) > 0 {
		p = unsafe.Pointer(&op.p[0])
	}
	n, _, e := unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(p), uintptr(len(op.p)), 0,
		uintptr(unsafe.Pointer(&op.name)), unix.SizeofSockaddrInet4)
	switch e {
	case 0:
		op.n = int(n)
	case unix.EAGAIN, unix.EINTR:
		return false
	default:
		op.err = &net.OpError{Op: "write", Net: "udp", Err: e}
	}
	return true
}

// setBatch points message i of the next batch at p for addr; false when
// addr is not IPv4 (the message is then skipped).
func (r *rawUDP) setBatch(i int, p []byte, addr net.Addr) bool {
	if !sockaddr(&r.names[i], addr) {
		return false
	}
	r.iovs[i].Base = nil
	if len(p) > 0 {
		r.iovs[i].Base = &p[0]
	}
	r.iovs[i].SetLen(len(p))
	h := &r.hdrs[i].Hdr
	*h = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&r.names[i])), Namelen: unix.SizeofSockaddrInet4, Iov: &r.iovs[i]}
	h.SetIovlen(1)
	return true
}

// sendBatchN sends messages [0, n) set by setBatch, in as many sendmmsg
// calls as the kernel needs; a message the kernel refuses is skipped, as
// a lost datagram would be. It returns the calls made.
func (r *rawUDP) sendBatchN(n int) (calls int) {
	for r.from = 0; r.from < n; {
		r.to, r.sent, r.err = n, 0, nil
		if err := r.rc.Write(r.sendFn); err != nil {
			return calls + 1
		}
		calls++
		if r.err != nil || r.sent <= 0 {
			r.sent = 1
		}
		r.from += r.sent
	}
	return calls
}

func (r *rawUDP) sendBatch(fd uintptr) bool {
	n, _, e := unix.RawSyscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[r.from])), uintptr(r.to-r.from), 0, 0, 0)
	switch e {
	case 0:
		r.sent = int(n)
	case unix.EAGAIN, unix.EINTR:
		return false
	default:
		r.err = e
	}
	return true
}
