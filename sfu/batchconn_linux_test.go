//go:build linux

package sfu

import (
	"errors"
	"net"
	"testing"
	"time"
)

// TestBatchConnReadsAndWritesRaw: on Linux the ICE socket is read and
// written with raw system calls (rawudp_linux.go). A datagram read through
// it has its payload and its sender's address; a read deadline still
// times out; an IPv6 destination is refused, not sent; batches and single
// writes allocate nothing; and a read waiting when the socket closes
// ends with net.ErrClosed, as the ICE mux expects.
func TestBatchConnReadsAndWritesRaw(t *testing.T) {
	raw, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := newBatchConn(raw)
	if b.raw == nil {
		t.Fatal("no raw socket calls for an IPv4 UDP socket on Linux")
	}
	peer, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	_ = peer.SetReadDeadline(time.Now().Add(10 * time.Second))

	// In: payload and source address.
	if _, err := peer.WriteTo([]byte("hello"), raw.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	_ = b.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1500)
	n, from, err := b.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "hello" || from.String() != peer.LocalAddr().String() {
		t.Fatalf("read %q from %v, %v; want \"hello\" from %v", buf[:n], from, err, peer.LocalAddr())
	}
	// A deadline still applies.
	_ = b.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var ne net.Error
	if _, _, err := b.ReadFrom(buf); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past its deadline: %v, want a timeout", err)
	}
	_ = b.SetReadDeadline(time.Time{})

	// Out: one at once, and a batch; an IPv6 destination is refused.
	to := peer.LocalAddr()
	if _, err := b.WriteTo([]byte("single"), to); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteTo([]byte("v6"), &net.UDPAddr{IP: net.IPv6loopback, Port: 9}); err == nil {
		t.Fatal("a write to an IPv6 address through the IPv4 socket succeeded")
	}
	b.begin()
	for i := range 3 {
		if _, err := b.WriteTo([]byte{'b', byte('0' + i)}, to); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.WriteTo(nil, to); err != nil { // an empty datagram, in a batch
		t.Fatal(err)
	}
	b.end()
	for _, want := range []string{"single", "b0", "b1", "b2", ""} {
		n, _, err := peer.ReadFrom(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("peer read %q, %v; want %q", buf[:n], err, want)
		}
	}
	pkt := make([]byte, 1200)
	if a := testing.AllocsPerRun(50, func() {
		b.begin()
		for range 8 {
			_, _ = b.WriteTo(pkt, to)
		}
		b.end()
		_, _ = b.WriteTo(pkt, to)
	}); a != 0 {
		t.Errorf("%v allocations per batch and single write, want 0", a)
	}

	// Close ends a waiting read.
	done := make(chan error, 1)
	go func() {
		_, _, err := b.ReadFrom(make([]byte, 1500))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	_ = b.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read after close: %v, want net.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a read waiting on the socket did not end when it closed")
	}
}
