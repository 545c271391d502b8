package sfu

import (
	"testing"

	"github.com/pion/rtcp"
)

// TestNACKResendsAsSent answers NACKs for packets sent before and after a
// layer switch: each resend must be byte-for-byte the packet first sent
// under that sequence number (timestamp, VP8 picture id and TL0PICIDX as
// rewritten then, payload of the right layer), and a NACK repeated at once
// must not be answered again.
func TestNACKResendsAsSent(t *testing.T) {
	_, _, _, w, d, _ := switchedDown()
	sent := append([]sentPacket(nil), w.sent...)
	if len(sent) < 20 || sent[0].tag == sent[len(sent)-1].tag {
		t.Fatalf("setup: %d packets sent, layers %d → %d; want a switch", len(sent), sent[0].tag, sent[len(sent)-1].tag)
	}
	var seqs []uint16
	for i := 1; i < len(sent); i += 3 {
		seqs = append(seqs, sent[i].seq)
	}
	nack := &rtcp.TransportLayerNack{MediaSSRC: 1234, Nacks: rtcp.NackPairsFromSequenceNumbers(seqs)}
	d.retransmit(nack)
	resent := w.sent[len(sent):]
	if len(resent) != len(seqs) {
		t.Fatalf("%d packets resent for %d NACKed", len(resent), len(seqs))
	}
	orig := map[uint16]sentPacket{}
	for _, p := range sent {
		orig[p.seq] = p
	}
	for _, p := range resent {
		if o := orig[p.seq]; p != o {
			t.Errorf("resent %+v, first sent %+v", p, o)
		}
	}
	if d.PacketsResent() != uint64(len(seqs)) {
		t.Errorf("PacketsResent %d, want %d", d.PacketsResent(), len(seqs))
	}
	d.retransmit(nack)
	if n := len(w.sent) - len(sent) - len(resent); n != 0 {
		t.Errorf("a NACK repeated at once was answered again: %d packets", n)
	}
}
