package sfu

import (
	"encoding/binary"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// rawWriter records every packet written, header and payload copied.
type rawWriter struct {
	hdrs     []rtp.Header
	payloads [][]byte
}

func (w *rawWriter) WriteRTP(h *rtp.Header, p []byte) (int, error) {
	w.hdrs = append(w.hdrs, *h)
	w.payloads = append(w.payloads, append([]byte(nil), p...))
	return len(p), nil
}

func (w *rawWriter) Write(b []byte) (int, error) { return len(b), nil }

const (
	testRTXPT   = 97
	testRTXSSRC = 4242
)

// withRTX rebinds d as if its subscriber had negotiated RTX, writing to w.
func withRTX(d *DownTrack, w *rawWriter) {
	b := *d.bound.Load()
	b.rtxPT, b.rtxSSRC, b.w = testRTXPT, testRTXSSRC, w
	d.bound.Store(&b)
}

// TestNACKResendsOverRTX: with RTX negotiated, a NACKed packet is resent
// on the RTX SSRC under the RTX stream's own consecutive sequence
// numbers, its payload the original sequence number followed by exactly
// the payload first sent (RFC 4588 §4); a NACK for another SSRC is not
// answered.
func TestNACKResendsOverRTX(t *testing.T) {
	_, _, _, fw, d, _ := switchedDown()
	sent := append([]sentPacket(nil), fw.sent...)
	w := &rawWriter{}
	withRTX(d, w)
	var seqs []uint16
	for i := 0; i < len(sent); i += 4 {
		seqs = append(seqs, sent[i].seq)
	}
	d.retransmit(&rtcp.TransportLayerNack{MediaSSRC: testRTXSSRC, Nacks: rtcp.NackPairsFromSequenceNumbers(seqs)})
	if len(w.hdrs) != 0 {
		t.Fatalf("a NACK for the RTX SSRC was answered: %d packets", len(w.hdrs))
	}
	d.retransmit(&rtcp.TransportLayerNack{MediaSSRC: 1234, Nacks: rtcp.NackPairsFromSequenceNumbers(seqs)})
	if len(w.hdrs) != len(seqs) {
		t.Fatalf("%d packets resent for %d NACKed", len(w.hdrs), len(seqs))
	}
	orig := map[uint16]sentPacket{}
	for _, p := range sent {
		orig[p.seq] = p
	}
	for i, h := range w.hdrs {
		p := w.payloads[i]
		if h.SSRC != testRTXSSRC || h.PayloadType != testRTXPT {
			t.Errorf("resend %d on SSRC %d PT %d, want %d/%d", i, h.SSRC, h.PayloadType, testRTXSSRC, testRTXPT)
		}
		if i > 0 && h.SequenceNumber != w.hdrs[i-1].SequenceNumber+1 {
			t.Errorf("RTX sequence %d after %d", h.SequenceNumber, w.hdrs[i-1].SequenceNumber)
		}
		if len(p) < 3 {
			t.Fatalf("resend %d: payload of %d bytes", i, len(p))
		}
		osn := binary.BigEndian.Uint16(p)
		vp8, _ := parseVP8(p[2:])
		got := sentPacket{seq: osn, ts: h.Timestamp, key: vp8KeyframeStart(p[2:]), tag: p[len(p)-1],
			pic: vp8.pictureID, tl0: vp8.tl0PicIdx, hasPicID: vp8.hasPicID}
		if o, ok := orig[osn]; !ok || got != o {
			t.Errorf("resend %d carries %+v, first sent %+v", i, got, o)
		}
	}
}

// TestResendsWithinBudget: a subscriber's retransmissions stop when its
// budget (a share of its bandwidth estimate) is spent, whatever it NACKs,
// and the refused packets can be resent once the budget refills.
func TestResendsWithinBudget(t *testing.T) {
	_, _, _, w, d, _ := switchedDown()
	sent := append([]sentPacket(nil), w.sent...)
	var est atomic.Int64
	est.Store(100_000)
	d.limit = &resendLimiter{est: &est}
	burst := minResendRate / 8 * resendBurst.Seconds()
	// Spend all but about two packets' worth.
	if !d.limit.allow(int(burst)-90, time.Now().UnixNano()) {
		t.Fatal("a fresh budget refused its burst")
	}
	var seqs []uint16
	for _, p := range sent {
		seqs = append(seqs, p.seq)
	}
	nack := &rtcp.TransportLayerNack{MediaSSRC: 1234, Nacks: rtcp.NackPairsFromSequenceNumbers(seqs)}
	d.retransmit(nack)
	first := len(w.sent) - len(sent)
	if first < 1 || first > 3 {
		t.Fatalf("%d packets resent with about 90 bytes of budget left, want 1 to 3", first)
	}
	// resendBurst later the budget is whole again (at 64 kbps, 2,000
	// bytes): more of the NACKed packets go.
	time.Sleep(resendBurst)
	d.retransmit(nack)
	second := len(w.sent) - len(sent) - first
	if second <= first {
		t.Errorf("after the budget refilled %d packets resent, before %d", second, first)
	}
	if got := int(d.PacketsResent()); got != first+second {
		t.Errorf("PacketsResent %d, want %d", got, first+second)
	}
}

// TestPaddingProbeOnRTX: padding goes on the RTX SSRC as padding-only
// packets (the last byte counts the whole payload), numbered on after
// the retransmissions; a down-track without RTX sends none; a probe sends
// about its rate for its length, then stops.
func TestPaddingProbeOnRTX(t *testing.T) {
	_, _, _, _, d, _ := switchedDown()
	var hdr rtp.Header
	if d.canPad() || d.writePadding(&hdr) {
		t.Fatal("a down-track without RTX sent padding")
	}
	w := &rawWriter{}
	withRTX(d, w)
	if !d.canPad() {
		t.Fatal("a down-track with RTX cannot pad")
	}
	d.rtxSeq.Store(70)
	var pc pacer
	p := pc.newProber()
	const rate, length = 1_000_000, 300 * time.Millisecond
	p.start(probe{d: d, rate: rate, until: time.Now().Add(length).UnixNano()})
	waitPacer(t, &pc, length+2*time.Second)
	want := rate / 8 * length.Seconds() / padSize
	if n := float64(len(w.hdrs)); n < want*0.5 || n > want*1.1 {
		t.Errorf("%v probe at %d bps sent %v packets, want about %.0f", length, rate, n, want)
	}
	if int(p.sent.Load()) != len(w.hdrs) {
		t.Errorf("prober counted %d, wrote %d", p.sent.Load(), len(w.hdrs))
	}
	for i, h := range w.hdrs {
		pl := w.payloads[i]
		if h.SSRC != testRTXSSRC || h.PayloadType != testRTXPT || !h.Padding || len(pl) != padSize || pl[len(pl)-1] != padSize {
			t.Fatalf("padding packet %d: %+v, %d bytes, last %d", i, h, len(pl), pl[len(pl)-1])
		}
		if h.SequenceNumber != uint16(71+i) {
			t.Fatalf("padding packet %d numbered %d, want %d", i, h.SequenceNumber, 71+i)
		}
	}
}

// BenchmarkResend answers one NACKed packet per op, on the media SSRC
// and over RTX, within a resend budget: the NACK path must not allocate
// (-benchmem). The packet's resend record is cleared between ops so that
// each op resends.
func BenchmarkResend(b *testing.B) {
	for _, rtx := range []bool{false, true} {
		b.Run(map[bool]string{false: "media", true: "rtx"}[rtx], func(b *testing.B) {
			_, _, _, w, d, _ := switchedDown()
			seq := w.sent[len(w.sent)-1].seq
			bd := *d.bound.Load()
			bd.w = discardWriter{}
			if rtx {
				bd.rtxPT, bd.rtxSSRC = testRTXPT, testRTXSSRC
			}
			d.bound.Store(&bd)
			var est atomic.Int64
			est.Store(1 << 40)
			d.limit = &resendLimiter{est: &est}
			nack := &rtcp.TransportLayerNack{MediaSSRC: bd.ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers([]uint16{seq})}
			h := &d.hist[seq%histSize]
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				h.resent, h.tries = 0, 0
				d.retransmit(nack)
			}
			if got := d.PacketsResent(); got != uint64(b.N) {
				b.Fatalf("%d packets resent in %d ops", got, b.N)
			}
		})
	}
}

// BenchmarkPadding writes one padding packet per op: it must not
// allocate (-benchmem).
func BenchmarkPadding(b *testing.B) {
	_, _, _, _, d, _ := switchedDown()
	bd := *d.bound.Load()
	bd.w, bd.rtxPT, bd.rtxSSRC = discardWriter{}, testRTXPT, testRTXSSRC
	d.bound.Store(&bd)
	var hdr rtp.Header
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !d.writePadding(&hdr) {
			b.Fatal("no padding written")
		}
	}
}

// udpWriter sends what a down-track writes, marshalled, through a
// batchConn, as the SFU's writers end in the shared ICE socket.
type udpWriter struct {
	b   *batchConn
	to  net.Addr
	buf []byte
}

func (w *udpWriter) WriteRTP(h *rtp.Header, p []byte) (int, error) {
	n, err := h.MarshalTo(w.buf[:cap(w.buf)])
	if err != nil {
		return 0, err
	}
	n += copy(w.buf[n:cap(w.buf)], p)
	return w.b.WriteTo(w.buf[:n], w.to)
}

func (w *udpWriter) Write(b []byte) (int, error) { return w.b.WriteTo(b, w.to) }

// TestProbesPaddingLeavesTogether: the padding of several subscribers
// probing at once is paced by one goroutine whose every slice is one
// fan-out, so it leaves in sendmmsg calls carrying several subscribers'
// packets, and every packet arrives.
func TestProbesPaddingLeavesTogether(t *testing.T) {
	raw, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rx, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	_ = rx.(*net.UDPConn).SetReadBuffer(4 << 20)
	b := newBatchConn(raw)
	pc := pacer{fan: fanout{b}}

	const subs, rate, length = 8, 1_000_000, 200 * time.Millisecond
	probers := make([]*prober, subs)
	downs := make([]*DownTrack, subs)
	for i := range probers {
		_, _, _, _, d, _ := switchedDown()
		bd := *d.bound.Load()
		bd.rtxPT, bd.rtxSSRC = testRTXPT, uint32(testRTXSSRC+i)
		bd.w = &udpWriter{b: b, to: rx.LocalAddr(), buf: make([]byte, 0, 1500)}
		d.bound.Store(&bd)
		downs[i], probers[i] = d, pc.newProber()
	}
	until := time.Now().Add(length).UnixNano()
	for i, p := range probers {
		p.start(probe{d: downs[i], rate: rate, until: until})
	}
	waitPacer(t, &pc, length+5*time.Second)
	sent := uint64(0)
	for i, p := range probers {
		if p.sent.Load() == 0 {
			t.Errorf("prober %d sent nothing", i)
		}
		sent += p.sent.Load()
	}
	if calls := b.calls.Load(); calls == 0 || b.batched.Load() != sent || float64(sent)/float64(calls) < 4 {
		t.Errorf("%d padding packets left in %d sendmmsg calls (%d batched): want them batched across probers", sent, calls, b.batched.Load())
	}
	perSSRC := map[uint32]uint64{}
	buf := make([]byte, 2000)
	_ = rx.SetReadDeadline(time.Now().Add(5 * time.Second))
	for got := uint64(0); got < sent; got++ {
		n, _, err := rx.ReadFrom(buf)
		if err != nil {
			t.Fatalf("%d of %d padding packets arrived: %v", got, sent, err)
		}
		var pkt rtp.Packet
		if err := pkt.Unmarshal(buf[:n]); err != nil || !pkt.Padding {
			t.Fatalf("packet %d is not padding: %v", got, err)
		}
		perSSRC[pkt.SSRC]++
	}
	for i, p := range probers {
		if got := perSSRC[uint32(testRTXSSRC+i)]; got != p.sent.Load() {
			t.Errorf("prober %d sent %d, %d arrived", i, p.sent.Load(), got)
		}
	}
}

// waitPacer fails t unless pc's goroutine ends, its probes over, within d.
func waitPacer(t *testing.T, pc *pacer, d time.Duration) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pc.wait()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("the pacer still runs %v after its probes started", d)
	}
}
