package sfu

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// simLink drives an estimator over a simulated bottleneck: packets are
// stamped at simulated send times, queue behind a link of rate bps
// (dropped when the queue would exceed maxQueue, or at random with
// probability loss), and every feedbackEvery the receiver's transport-cc
// report of what arrived is marshalled, parsed again by pion/rtcp and
// handed to the estimator, as a subscriber's RTCP reader does.
type simLink struct {
	t        testing.TB
	e        *bwEstimator
	rng      *rand.Rand
	now      time.Duration // simulated clock, since the estimator's epoch
	rate     int           // link, bits per second
	maxQueue time.Duration
	loss     float64
	free     time.Duration // when the link has sent what is queued
	hdr      rtp.Header

	pending  []simArrival // since the last report
	fbCount  uint8
	lastFB   time.Duration
	decrease int // reports after which the estimator said it decreased
}

type simArrival struct {
	seq     uint16
	arrival time.Duration // < 0: lost
}

const simPacket = 1200 // bytes

func newSimLink(t testing.TB, initial, rate int) *simLink {
	return &simLink{t: t, e: newBWEstimator(initial, nil), rng: rand.New(rand.NewPCG(1, 2)), rate: rate, maxQueue: 300 * time.Millisecond}
}

// send sends one packet of size bytes now.
func (l *simLink) send(size int) {
	n := l.e.next.Load()
	l.hdr = rtp.Header{Version: 2, Extensions: l.hdr.Extensions[:0]}
	if err := l.e.stampAt(&l.hdr, 3, size, int64(l.now)); err != nil {
		l.t.Fatal(err)
	}
	if got := l.hdr.GetExtension(3); len(got) != 2 || uint16(got[0])<<8|uint16(got[1]) != uint16(n) {
		l.t.Fatalf("extension %x, want sequence number %d", got, uint16(n))
	}
	start := max(l.now, l.free)
	a := simArrival{seq: uint16(n), arrival: -1}
	if start-l.now <= l.maxQueue && (l.loss == 0 || l.rng.Float64() >= l.loss) {
		l.free = start + time.Duration(size*8)*time.Second/time.Duration(l.rate)
		a.arrival = l.free + 20*time.Millisecond // propagation
	}
	l.pending = append(l.pending, a)
}

// run sends at the estimator's target (or at fixed bps when > 0) for d,
// with reports every 50 ms.
func (l *simLink) run(d time.Duration, fixed int) {
	end := l.now + d
	var owed float64
	const step = time.Millisecond
	for l.now < end {
		rate := fixed
		if rate <= 0 {
			rate = l.e.Estimate().Target
		}
		owed += float64(rate) / 8 * step.Seconds()
		for owed >= simPacket {
			l.send(simPacket)
			owed -= simPacket
		}
		l.now += step
		if l.now-l.lastFB >= 50*time.Millisecond {
			l.feedback()
			l.lastFB = l.now
		}
	}
}

// feedback reports every pending packet that has arrived by now, and the
// lost ones before it.
func (l *simLink) feedback() {
	// The receiver reports up to the last packet arrived by now.
	last := -1
	for i, a := range l.pending {
		if a.arrival >= 0 && a.arrival <= l.now {
			last = i
		}
	}
	if last < 0 {
		return
	}
	rep := l.pending[:last+1]
	fb := l.report(rep)
	l.pending = append(l.pending[:0], l.pending[last+1:]...)
	l.deliver(fb)
}

// report builds the transport-cc packet for arrivals (in sequence order).
func (l *simLink) report(arr []simArrival) *rtcp.TransportLayerCC {
	var first time.Duration = -1
	for _, a := range arr {
		if a.arrival >= 0 {
			first = a.arrival
			break
		}
	}
	ref := first / (64 * time.Millisecond)
	prev := ref * 64 * time.Millisecond
	fb := &rtcp.TransportLayerCC{
		Header:             rtcp.Header{Count: rtcp.FormatTCC, Type: rtcp.TypeTransportSpecificFeedback},
		MediaSSRC:          1,
		BaseSequenceNumber: arr[0].seq,
		PacketStatusCount:  uint16(len(arr)),
		ReferenceTime:      uint32(ref),
		FbPktCount:         l.fbCount,
	}
	l.fbCount++
	for _, a := range arr {
		sym := uint16(rtcp.TypeTCCPacketNotReceived)
		if a.arrival >= 0 {
			d := (a.arrival - prev) / (250 * time.Microsecond)
			prev += d * 250 * time.Microsecond
			sym = rtcp.TypeTCCPacketReceivedSmallDelta
			if d < 0 || d > 255 {
				sym = rtcp.TypeTCCPacketReceivedLargeDelta
			}
			fb.RecvDeltas = append(fb.RecvDeltas, &rtcp.RecvDelta{Type: sym, Delta: int64(d) * 250})
		}
		fb.PacketChunks = append(fb.PacketChunks, &rtcp.RunLengthChunk{Type: rtcp.TypeTCCRunLengthChunk, PacketStatusSymbol: sym, RunLength: 1})
	}
	return fb
}

// deliver marshals fb, parses it as the RTCP reader would and hands it to
// the estimator.
func (l *simLink) deliver(fb *rtcp.TransportLayerCC) {
	fb.Header.Length = uint16(fb.MarshalSize()/4 - 1)
	b, err := fb.Marshal()
	if err != nil {
		l.t.Fatal(err)
	}
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		l.t.Fatal(err)
	}
	for _, p := range pkts {
		if p, ok := p.(*rtcp.TransportLayerCC); ok {
			l.e.onFeedback(p, l.e.epoch.Add(l.now))
			if l.e.Estimate().Decreased {
				l.decrease++
			}
		}
	}
}

func TestEstimatorIncreasesWithoutQueuing(t *testing.T) {
	l := newSimLink(t, 300_000, 20_000_000)
	l.run(10*time.Second, 0)
	e := l.e.Estimate()
	t.Logf("%+v", e)
	if e.Target < 450_000 {
		t.Errorf("target %d after 10 s on an idle 20 Mbps link from 300 kbps, want at least 450 kbps", e.Target)
	}
	if l.decrease != 0 || e.Loss != 0 || e.Reports < 150 {
		t.Errorf("decreases %d, %+v", l.decrease, e)
	}
}

func TestEstimatorDecreasesOnGrowingQueue(t *testing.T) {
	// 1.5 Mbps into a 1 Mbps link with a queue deep enough never to drop
	// within the run: only the delay can tell.
	l := newSimLink(t, 1_500_000, 1_000_000)
	l.maxQueue = 10 * time.Second
	l.run(3*time.Second, 1_500_000)
	e := l.e.Estimate()
	t.Logf("%+v, %d decreases", e, l.decrease)
	if l.decrease == 0 || e.Target > 1_000_000 {
		t.Errorf("target %d after 3 s of a growing queue (decreases %d), want below the link's 1 Mbps", e.Target, l.decrease)
	}
	if e.Loss != 0 {
		t.Errorf("loss %v with nothing lost", e.Loss)
	}
}

func TestEstimatorDecreasesOnLoss(t *testing.T) {
	l := newSimLink(t, 1_000_000, 20_000_000)
	l.loss = 0.3
	l.run(2*time.Second, 1_000_000)
	e := l.e.Estimate()
	t.Logf("%+v", e)
	if e.Loss < 0.15 || e.Target > 700_000 {
		t.Errorf("30 %% loss: %+v, want the loss seen and the target well below 1 Mbps", e)
	}
}

func TestEstimatorRecoversAfterLimit(t *testing.T) {
	l := newSimLink(t, 2_000_000, 500_000)
	l.run(5*time.Second, 0)
	limited := l.e.Estimate().Target
	if limited > 600_000 || limited < 200_000 {
		t.Fatalf("target %d on a 500 kbps link, want near it", limited)
	}
	l.rate = 20_000_000
	l.run(15*time.Second, 0)
	e := l.e.Estimate()
	t.Logf("limited %d, then %+v", limited, e)
	if e.Target < 3*limited/2 {
		t.Errorf("target %d 15 s after a %d bps limit was lifted, want at least 1.5× that", e.Target, limited)
	}
}

func TestEstimatorRingWrap(t *testing.T) {
	// Over 65536 packets: the 16-bit sequence numbers wrap, and the ring
	// many times over; reports keep matching.
	l := newSimLink(t, 5_000_000, 50_000_000)
	for l.e.next.Load() < 70_000 {
		l.run(time.Second, 20_000_000)
	}
	before := l.e.Estimate()
	l.run(time.Second, 20_000_000)
	after := l.e.Estimate()
	if after.Reports-before.Reports < 15 || after.Loss != 0 || l.decrease != 0 {
		t.Errorf("after the wrap: %+v → %+v, %d decreases", before, after, l.decrease)
	}
	// A report on packets that have left the ring matches nothing.
	old := l.report([]simArrival{{seq: uint16(l.e.next.Load() - sentRingSize - 10), arrival: l.now}})
	l.deliver(old)
	if got := l.e.Estimate(); got.Reports != after.Reports {
		t.Errorf("a report on packets out of the ring was counted: %+v", got)
	}
}

func TestEstimatorHostileFeedback(t *testing.T) {
	l := newSimLink(t, 1_000_000, 10_000_000)
	l.run(time.Second, 0)
	base := l.e.Estimate()
	next := uint16(l.e.next.Load())
	check := func(name string, fb *rtcp.TransportLayerCC) {
		t.Helper()
		l.e.onFeedback(fb, l.e.epoch.Add(l.now))
		e := l.e.Estimate()
		if e.Target < minBitrate || e.Target > maxBitrate || e.Loss < 0 || e.Loss > 1 {
			t.Errorf("%s: nonsense estimate %+v", name, e)
		}
	}
	delta := func(us int64) *rtcp.RecvDelta {
		return &rtcp.RecvDelta{Type: rtcp.TypeTCCPacketReceivedLargeDelta, Delta: us}
	}
	run := func(sym uint16, n uint16) rtcp.PacketStatusChunk {
		return &rtcp.RunLengthChunk{PacketStatusSymbol: sym, RunLength: n}
	}
	// Never sent: numbers ahead of the counter.
	check("never sent", &rtcp.TransportLayerCC{BaseSequenceNumber: next + 5, PacketStatusCount: 3,
		PacketChunks: []rtcp.PacketStatusChunk{run(rtcp.TypeTCCPacketReceivedLargeDelta, 3)},
		RecvDeltas:   []*rtcp.RecvDelta{delta(1000), delta(1000), delta(1000)}})
	check("never sent, lost", &rtcp.TransportLayerCC{BaseSequenceNumber: next, PacketStatusCount: 8000,
		PacketChunks: []rtcp.PacketStatusChunk{run(rtcp.TypeTCCPacketNotReceived, 8000)}})
	if e := l.e.Estimate(); e.Reports != base.Reports {
		t.Errorf("reports on never-sent packets were counted: %+v", e)
	}
	// More statuses than deltas, counts larger than the chunks, nil
	// deltas, reserved symbols, an unknown chunk type.
	check("missing deltas", &rtcp.TransportLayerCC{BaseSequenceNumber: next - 50, PacketStatusCount: 60000,
		PacketChunks: []rtcp.PacketStatusChunk{run(rtcp.TypeTCCPacketReceivedSmallDelta, 8191)},
		RecvDeltas:   []*rtcp.RecvDelta{delta(100), nil, delta(100)}})
	check("reserved symbol", &rtcp.TransportLayerCC{BaseSequenceNumber: next - 40, PacketStatusCount: 5,
		PacketChunks: []rtcp.PacketStatusChunk{&rtcp.StatusVectorChunk{SymbolSize: rtcp.TypeTCCSymbolSizeTwoBit, SymbolList: []uint16{1, 3, 7, 1}}},
		RecvDeltas:   []*rtcp.RecvDelta{delta(100), delta(100)}})
	check("no chunks", &rtcp.TransportLayerCC{BaseSequenceNumber: next - 30, PacketStatusCount: 65535})
	check("nil chunk", &rtcp.TransportLayerCC{BaseSequenceNumber: next - 30, PacketStatusCount: 2, PacketChunks: []rtcp.PacketStatusChunk{nil}})
	// Huge deltas and reference-time jumps both ways.
	for _, ref := range []uint32{0, 1 << 23, 0xffffff, 5} {
		check("huge delta", &rtcp.TransportLayerCC{BaseSequenceNumber: next - 20, PacketStatusCount: 4, ReferenceTime: ref,
			PacketChunks: []rtcp.PacketStatusChunk{run(rtcp.TypeTCCPacketReceivedLargeDelta, 4)},
			RecvDeltas:   []*rtcp.RecvDelta{delta(-8_000_000), delta(1 << 40), delta(-1 << 40), delta(8_000_000)}})
	}
	// Duplicates: the same genuine report twice counts once.
	l.run(200*time.Millisecond, 0)
	arr := []simArrival{{seq: uint16(l.e.next.Load() - 3), arrival: l.now}, {seq: uint16(l.e.next.Load() - 2), arrival: l.now}}
	l.pending = l.pending[:0]
	l.deliver(l.report(arr))
	r1 := l.e.Estimate().Reports
	l.deliver(l.report(arr))
	if r2 := l.e.Estimate().Reports; r2 != r1 {
		t.Errorf("a duplicate report was counted again (%d → %d)", r1, r2)
	}
	// A loss reported again counts once.
	l.run(200*time.Millisecond, 0)
	gone := []simArrival{{seq: uint16(l.e.next.Load() - 2), arrival: -1}, {seq: uint16(l.e.next.Load() - 1), arrival: l.now}}
	l.pending = l.pending[:0]
	l.deliver(l.report(gone))
	loss1 := l.e.Estimate().Loss
	for range 5 {
		l.deliver(l.report(gone))
	}
	if got := l.e.Estimate(); got.Loss > loss1 {
		t.Errorf("a repeated loss report raised the loss from %v to %v", loss1, got.Loss)
	}
	// Reordered: an older report after a newer one is used for what it
	// has not reported yet, and nothing breaks.
	l.run(time.Second, 0)
	if e := l.e.Estimate(); e.Target < minBitrate || e.Loss > 0.5 {
		t.Errorf("after hostile reports the estimator does not recover: %+v", e)
	}
}

func TestEstimatorStampDoesNotAllocate(t *testing.T) {
	e := newBWEstimator(1_000_000, nil)
	var h rtp.Header
	allocs := testing.AllocsPerRun(1000, func() {
		h = rtp.Header{Version: 2, Extensions: h.Extensions[:0]}
		_ = e.stamp(&h, 5, 1200)
	})
	if allocs != 0 {
		t.Errorf("stamp allocates %v times per packet", allocs)
	}
}

// FuzzEstimatorFeedback hands the estimator whatever pion/rtcp parses out
// of arbitrary bytes, after real traffic: no panic, no estimate outside
// its bounds.
func FuzzEstimatorFeedback(f *testing.F) {
	l := newSimLink(f, 1_000_000, 10_000_000)
	l.run(200*time.Millisecond, 0)
	l.feedback()
	seed := l.report([]simArrival{{seq: 3, arrival: l.now}, {seq: 4, arrival: -1}, {seq: 5, arrival: l.now + time.Millisecond}})
	seed.Header.Length = uint16(seed.MarshalSize()/4 - 1)
	if b, err := seed.Marshal(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pkts, err := rtcp.Unmarshal(b)
		if err != nil {
			return
		}
		for _, p := range pkts {
			if fb, ok := p.(*rtcp.TransportLayerCC); ok {
				l.e.onFeedback(fb, time.Now())
			}
		}
		if e := l.e.Estimate(); e.Target < minBitrate || e.Target > maxBitrate || e.Loss < 0 || e.Loss > 1 {
			t.Fatalf("estimate out of bounds: %+v", e)
		}
	})
}

// TestEstimatorInterceptorStampsEveryWriter writes media, RTX resends and
// padding through one bound stream's writer from several goroutines at
// once, as the forwarders, the NACK answers and the pacer do: every
// packet gets its own transport-wide sequence number, in the extension
// the stream negotiated, and a send record.
func TestEstimatorInterceptorStampsEveryWriter(t *testing.T) {
	e := newBWEstimator(1_000_000, nil)
	ic, err := estimatorFactory{e}.NewInterceptor("")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[uint16]uint32{} // sequence number → SSRC
	sink := interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, _ interceptor.Attributes) (int, error) {
		x := h.GetExtension(7)
		if len(x) != 2 {
			t.Errorf("packet of SSRC %d without the TWCC extension: %+v", h.SSRC, h.Extensions)
			return 0, nil
		}
		mu.Lock()
		seen[uint16(x[0])<<8|uint16(x[1])] = h.SSRC
		mu.Unlock()
		return len(payload), nil
	})
	w := ic.BindLocalStream(&interceptor.StreamInfo{SSRC: 1, RTPHeaderExtensions: []interceptor.RTPHeaderExtension{
		{URI: extAudioLevel, ID: 1}, {URI: extTWCC, ID: 7}}}, sink)
	const writers, each = 3, 500
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var h rtp.Header
			for i := range each {
				// media, RTX resend, padding: each writer its own SSRC
				h = rtp.Header{Version: 2, SSRC: uint32(1 + g), SequenceNumber: uint16(i), Padding: g == 2, Extensions: h.Extensions[:0]}
				if _, err := w.Write(&h, make([]byte, 100+g), nil); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != writers*each || e.next.Load() != writers*each {
		t.Fatalf("%d distinct sequence numbers, counter %d, want %d", len(seen), e.next.Load(), writers*each)
	}
	for n := range uint32(writers * each) {
		if _, tag, ok := e.sent(n); !ok || tag&slotSizeMask < 100 {
			t.Fatalf("no send record for %d (tag %x)", n, tag)
		}
	}
	// A stream that did not negotiate the extension is left alone.
	plain := ic.BindLocalStream(&interceptor.StreamInfo{SSRC: 9}, interceptor.RTPWriterFunc(
		func(h *rtp.Header, payload []byte, _ interceptor.Attributes) (int, error) { return len(payload), nil }))
	h := rtp.Header{Version: 2, SSRC: 9}
	if _, err := plain.Write(&h, nil, nil); err != nil || h.Extension || e.next.Load() != writers*each {
		t.Errorf("a stream without TWCC was stamped: %+v, counter %d, err %v", h, e.next.Load(), err)
	}
}

// TestEstimatorClockGoingBack: a report timed earlier than the one before
// (FuzzEstimatorFeedback found it: the loss average ran to -0.88) leaves
// the average loss between its old value and the new report's, and the
// estimate within its bounds.
func TestEstimatorClockGoingBack(t *testing.T) {
	e := newBWEstimator(1_000_000, nil)
	t0 := time.Now()
	e.mu.Lock()
	e.updateLoss(0.5, t0)
	e.updateLoss(0, t0.Add(-10*time.Second))
	e.updateRate(t0.Add(-20 * time.Second))
	e.mu.Unlock()
	if got := e.Estimate(); got.Loss < 0 || got.Loss > 0.5 || got.Target < minBitrate || got.Target > maxBitrate {
		t.Fatalf("after a report timed 10 s earlier: %+v", got)
	}
}
