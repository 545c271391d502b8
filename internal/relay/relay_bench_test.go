package relay

import (
	"net"
	"testing"
	"time"
)

// benchForward sends b.N 1,200-byte packets through send and reads each at
// sink, one at a time: the cost of one packet's trip on this machine.
func benchForward(b *testing.B, sink *net.UDPConn, send func([]byte) error) {
	pkt := make([]byte, 1200)
	buf := make([]byte, 1500)
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := send(pkt); err != nil {
			b.Fatal(err)
		}
		_ = sink.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, _, err := sink.ReadFrom(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForwardDirect: a client's packet straight to the media port.
//
//	go test ./internal/relay -run '^$' -bench 'BenchmarkForward' -benchmem
func BenchmarkForwardDirect(b *testing.B) {
	sink := udpListener(b)
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	to := sink.LocalAddr()
	benchForward(b, sink, func(p []byte) error { _, err := c.WriteTo(p, to); return err })
}

// BenchmarkForwardRelayed: the same packet through the embedded TURN
// relay (client → TURN server → relay socket → media port), after the
// allocation and permission are made.
func BenchmarkForwardRelayed(b *testing.B) {
	sink := udpListener(b)
	s := startRelay(b, sink.LocalAddr().(*net.UDPAddr))
	user, pass := Credentials(secret, "bench", time.Hour, time.Now())
	rc, err := allocate(b, s, user, pass)
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	to := sink.LocalAddr()
	// The first write creates the permission (and a channel binding).
	if _, err := rc.WriteTo([]byte("warm"), to); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 64)
	_ = sink.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := sink.ReadFrom(buf); err != nil {
		b.Fatal(err)
	}
	benchForward(b, sink, func(p []byte) error { _, err := rc.WriteTo(p, to); return err })
}
