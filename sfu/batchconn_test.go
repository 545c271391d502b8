package sfu

import (
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"
)

// TestBatchConnDeliversInOrder fans packets out to several receivers from
// concurrent "readers", with fan-outs longer than a batch, and writes
// outside fan-outs in between: every receiver must get every packet meant
// for it, in order, and the fan-outs must have left in batches.
func TestBatchConnDeliversInOrder(t *testing.T) {
	raw, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	b := newBatchConn(raw)

	const receivers, senders, rounds = 6, 3, 150
	rx := make([]net.PacketConn, receivers)
	for i := range rx {
		if rx[i], err = net.ListenPacket("udp4", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		defer rx[i].Close()
		// Loss here would be the kernel's (a full receive buffer), not the
		// batching's: make room.
		_ = rx[i].(*net.UDPConn).SetReadBuffer(4 << 20)
	}
	// Each sender numbers its packets to each receiver: [sender, seq].
	var wg sync.WaitGroup
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pkt := make([]byte, 300)
			for seq := 0; seq < rounds; seq++ {
				fan := seq%5 != 4 // every fifth round outside a fan-out
				if fan {
					b.begin()
				}
				// Each fan-out sends to every receiver; every third one
				// twice, past maxBatch with the other senders' packets.
				for rep := 0; rep < 1+seq%3/2; rep++ {
					for r := range rx {
						binary.BigEndian.PutUint32(pkt[0:], uint32(s))
						binary.BigEndian.PutUint32(pkt[4:], uint32(seq*2+rep))
						if _, err := b.WriteTo(pkt, rx[r].LocalAddr()); err != nil {
							t.Error(err)
						}
					}
				}
				if fan {
					b.end()
				}
				if seq%2 == 0 {
					time.Sleep(time.Millisecond) // let the receivers drain
				}
			}
		}()
	}
	want := 0
	for seq := 0; seq < rounds; seq++ {
		want += 1 + seq%3/2
	}
	var rwg sync.WaitGroup
	for r := range rx {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			next := make([]int, senders) // next expected number per sender
			got := make([]int, senders)
			buf := make([]byte, 2000)
			_ = rx[r].SetReadDeadline(time.Now().Add(10 * time.Second))
			for total := 0; total < want*senders; total++ {
				n, _, err := rx[r].ReadFrom(buf)
				if err != nil {
					t.Errorf("receiver %d: %v after %v packets", r, err, got)
					return
				}
				if n != 300 {
					t.Errorf("receiver %d: %d bytes", r, n)
				}
				s, seq := int(binary.BigEndian.Uint32(buf[0:])), int(binary.BigEndian.Uint32(buf[4:]))
				if seq < next[s] {
					t.Errorf("receiver %d: sender %d's packet %d after %d", r, s, seq, next[s]-1)
				}
				next[s] = seq + 1
				got[s]++
			}
		}()
	}
	wg.Wait()
	rwg.Wait()
	if b.fanouts.Load() != 0 || b.n != 0 {
		t.Fatalf("after the last fan-out: %d fan-outs, %d queued", b.fanouts.Load(), b.n)
	}
	calls, batched := b.calls.Load(), b.batched.Load()
	if batched == 0 || calls*3 > batched {
		t.Fatalf("%d packets left in %d sendmmsg calls: not batched", batched, calls)
	}
	t.Logf("%d packets in %d sendmmsg calls", batched, calls)
}
