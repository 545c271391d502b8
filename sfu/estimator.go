package sfu

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// A subscriber connection's send-side bandwidth estimator, after Google
// Congestion Control (draft-ietf-rmcat-gcc-02) with a trendline delay
// filter, written for this SFU: it has no goroutine and allocates nothing
// per packet.
//
// Send side: every RTP packet leaving the connection (media, NACK resends
// on RTX, padding probes) passes stamp on its way to SRTP. stamp hands out
// the next transport-wide sequence number, writes it into the packet's
// TWCC header extension (draft-holmer-rmcat-transport-wide-cc-extensions-01)
// and records the send time and size in a fixed ring indexed by that
// number. Writers run on many goroutines at once (the forwarders, NACK
// answers, the SFU's pacer); they share only one atomic counter, and each
// owns the ring slot its number names.
//
// Feedback side: onFeedback runs where the connection's SRTCP decrypts
// each transport-cc packet, whatever SSRC it names (rtcpsink.go). Each reported packet is
// matched to its ring slot; the received ones are grouped into bursts
// sent within groupSpan, and the change of one-way delay between groups
// feeds a trendline (a least-squares slope over the last trendWindow
// smoothed, accumulated delay samples). Its slope, against a threshold
// that adapts to the slope's usual size, tells overuse, underuse or
// normal; a rate controller (increase, hold, decrease) acts on it: it
// grows the estimate (8 % a second, or by about a packet per round trip
// near the last rate where it had to decrease) up to 1.5 times the rate
// acknowledged, and cuts it to beta times the acknowledged rate on
// overuse. A loss controller cuts by half the loss above lossHigh (not
// below beta times the acknowledged rate) and grows 5 % at most every
// lossIncreaseEvery below lossLow; the target is
// the smaller of the two, bounded by minBitrate and maxBitrate.

const (
	sentRingSize = 2048 // packets remembered: over 2 s at 8 Mbps of full packets
	groupSpan    = 5 * time.Millisecond

	trendWindow    = 20   // samples in the regression
	trendSmoothing = 0.9  // weight of the previous smoothed delay
	trendGain      = 4.0  // slope × samples × gain is compared with the threshold
	trendMaxCount  = 60   // cap of the sample count in that product
	thresholdInit  = 12.5 // ms
	thresholdMin   = 6.0
	thresholdMax   = 600.0
	thresholdUp    = 0.0087 // adaptation per ms when the trend is above the threshold
	thresholdDown  = 0.039  // and when below
	overuseFor     = 10.0   // ms the trend must stay above the threshold
	maxDelayJump   = 2000.0 // ms: a larger jump of one-way delay between groups restarts the filter

	beta              = 0.85
	ackedWindow       = 500 * time.Millisecond
	ackedBucket       = 25 * time.Millisecond
	ackedBuckets      = int(ackedWindow / ackedBucket)
	lossHigh          = 0.1
	lossLow           = 0.02
	lossIncrease      = 1.05
	lossIncreaseEvery = 200 * time.Millisecond
	lossDecreaseEvery = 200 * time.Millisecond
	lossHalfLife      = 200.0 // ms, of the average loss's memory

	minBitrate = 50_000
	maxBitrate = 100_000_000
)

// slot bits: tag is (extended sequence number + 1) << 32 | acked |
// reported lost | size.
const (
	slotAcked    = 1 << 31
	slotLost     = 1 << 30
	slotSizeMask = slotLost - 1
)

// sentSlot records one packet sent.
type sentSlot struct {
	tag atomic.Uint64
	at  atomic.Int64 // send time, nanoseconds since the estimator's epoch
	ext [2]byte      // the packet's TWCC extension payload, alive until its write returns
}

// delay usage signals.
const (
	usageNormal = iota
	usageOver
	usageUnder
)

// rate controller states.
const (
	rateIncrease = iota
	rateHold
	rateDecrease
)

// bwEstimate is what the estimator tells its subscriber's controller.
type bwEstimate struct {
	Target    int     // bits per second
	Decreased bool    // the latest feedback made the delay controller decrease
	Loss      float64 // average fraction lost; changes only when feedback is processed
	Reports   uint64  // transport-cc reports processed so far
}

// bwEstimator is one subscriber connection's estimator.
type bwEstimator struct {
	epoch time.Time
	next  atomic.Uint32 // transport-wide sequence numbers handed out
	ring  [sentRingSize]sentSlot

	mu  sync.Mutex // guards everything below: the feedback side
	rtt func() time.Duration

	out bwEstimate

	// arrival clock
	refSet  bool
	lastRef uint32 // 24-bit reference time of the latest report
	refBase int64  // microseconds of lastRef, unwrapped

	// arrival groups
	cur, prev       group
	hasCur, hasPrev bool

	// trendline
	accDelay   float64
	smoothed   float64
	samples    [trendWindow]struct{ x, y float64 }
	nSamples   int // in the window
	numDeltas  int // since the filter started
	firstX     float64
	hasFirstX  bool
	threshold  float64
	lastThrAt  float64 // ms, arrival of the last threshold update
	overTime   float64 // ms above the threshold, -1 when not
	overCount  int
	prevTrend  float64
	usage      int
	sawOveruse bool // during the report being processed

	// rate control
	state      int
	delayRate  int
	lastUpdate time.Time
	decAvg     float64 // acknowledged rate at decreases: average and variance (EMA)
	decVar     float64
	hasDecAvg  bool

	// acknowledged rate
	buckets   [ackedBuckets]struct{ n, bytes int64 }
	newest    int64
	firstBkt  int64
	hasBucket bool

	// loss control
	lossRate     int
	avgLoss      float64
	lastLossAt   time.Time
	lastLossUp   time.Time
	lastLossDown time.Time
}

// group is one burst of packets sent within groupSpan.
type group struct {
	firstSend, lastSend int64 // nanoseconds since the epoch
	lastArrival         int64 // microseconds, unwrapped arrival clock
}

// newBWEstimator returns an estimator starting at initial bits per
// second; rtt, if not nil, gives the latest round-trip time.
func newBWEstimator(initial int, rtt func() time.Duration) *bwEstimator {
	initial = min(max(initial, minBitrate), maxBitrate)
	e := &bwEstimator{epoch: time.Now(), rtt: rtt, delayRate: initial, lossRate: initial, threshold: thresholdInit, overTime: -1}
	e.out.Target = initial
	return e
}

// Estimate returns the latest estimate.
func (e *bwEstimator) Estimate() bwEstimate {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.out
}

// stamp gives h the next transport-wide sequence number in extension id
// and records the packet as sent with size bytes. It allocates nothing
// once h's extension slice has room for one.
func (e *bwEstimator) stamp(h *rtp.Header, id uint8, size int) error {
	return e.stampAt(h, id, size, int64(time.Since(e.epoch)))
}

// stampAt is stamp with the send time given, in nanoseconds since the
// estimator's epoch.
func (e *bwEstimator) stampAt(h *rtp.Header, id uint8, size int, at int64) error {
	n := e.next.Add(1) - 1
	s := &e.ring[n%sentRingSize]
	s.at.Store(at)
	s.tag.Store(uint64(n+1)<<32 | uint64(min(size, slotSizeMask)))
	s.ext[0], s.ext[1] = byte(n>>8), byte(n)
	return h.SetExtension(id, s.ext[:])
}

// sent returns the slot of extended sequence number n, with its size and
// whether it was acknowledged already; ok is false when n was never sent
// or has left the ring.
func (e *bwEstimator) sent(n uint32) (s *sentSlot, tag uint64, ok bool) {
	s = &e.ring[n%sentRingSize]
	tag = s.tag.Load()
	return s, tag, tag>>32 == uint64(n+1)
}

// onFeedback processes one transport-cc report. Malformed reports are
// used as far as they make sense and never panic.
func (e *bwEstimator) onFeedback(fb *rtcp.TransportLayerCC, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()

	// Unwrap the base sequence number against the numbers handed out:
	// it names the most recent packet with those 16 bits.
	cur := e.next.Load()
	// (A base equal to the counter's low bits unwraps to the counter
	// itself: not sent yet, it matches nothing.)
	ext := cur - uint32(uint16(cur)-fb.BaseSequenceNumber)

	// Unwrap the 24-bit reference time (64 ms units).
	ref := fb.ReferenceTime & 0xffffff
	if !e.refSet {
		e.refSet, e.refBase = true, 0
	} else {
		d := int64(int32((ref-e.lastRef)<<8) >> 8) // signed 24-bit difference
		e.refBase += d * 64_000
	}
	e.lastRef = ref
	arrival := e.refBase

	var lost, received int
	var bytes int64
	e.sawOveruse = false
	di := 0
	count := int(fb.PacketStatusCount)
	i := 0
	status := func(sym uint16) bool { // false: stop, the report is inconsistent
		if i >= count {
			return false
		}
		n := ext + uint32(i)
		i++
		if sym == rtcp.TypeTCCPacketNotReceived {
			// Counted once: a report repeated, or a later one that
			// still lists it as missing, adds nothing.
			if s, tag, ok := e.sent(n); ok && tag&(slotAcked|slotLost) == 0 && s.tag.CompareAndSwap(tag, tag|slotLost) {
				lost++
			}
			return true
		}
		if sym == rtcp.TypeTCCPacketReceivedWithoutDelta {
			return true
		}
		if sym != rtcp.TypeTCCPacketReceivedSmallDelta && sym != rtcp.TypeTCCPacketReceivedLargeDelta {
			return false
		}
		if di >= len(fb.RecvDeltas) || fb.RecvDeltas[di] == nil {
			return false
		}
		arrival += fb.RecvDeltas[di].Delta
		di++
		s, tag, ok := e.sent(n)
		if !ok || tag&slotAcked != 0 || !s.tag.CompareAndSwap(tag, tag|slotAcked) {
			return true // unknown, too old or a duplicate
		}
		received++
		size := int64(tag & slotSizeMask)
		bytes += size
		e.addAcked(arrival, size)
		e.onArrival(s.at.Load(), arrival)
		return true
	}
chunks:
	for _, c := range fb.PacketChunks {
		switch c := c.(type) {
		case *rtcp.RunLengthChunk:
			for range min(int(c.RunLength), count-i) {
				if !status(c.PacketStatusSymbol) {
					break chunks
				}
			}
		case *rtcp.StatusVectorChunk:
			for _, sym := range c.SymbolList {
				if c.SymbolSize == rtcp.TypeTCCSymbolSizeOneBit && sym != 0 {
					sym = rtcp.TypeTCCPacketReceivedSmallDelta
				}
				if !status(sym) {
					break chunks
				}
			}
		default:
			break chunks
		}
	}
	if lost+received == 0 {
		return
	}
	e.out.Reports++
	e.updateLoss(float64(lost)/float64(lost+received), now)
	e.updateRate(now)
}

// onArrival places one received packet in its arrival group, and
// measures the previous group against the one before when a group ends.
func (e *bwEstimator) onArrival(send, arrival int64) {
	if !e.hasCur {
		e.cur, e.hasCur = group{firstSend: send, lastSend: send, lastArrival: arrival}, true
		return
	}
	if send-e.cur.firstSend <= int64(groupSpan) {
		e.cur.lastSend = max(e.cur.lastSend, send)
		e.cur.lastArrival = max(e.cur.lastArrival, arrival)
		return
	}
	if e.hasPrev {
		sendDelta := float64(e.cur.lastSend-e.prev.lastSend) / 1e6 // ms
		arrDelta := float64(e.cur.lastArrival-e.prev.lastArrival) / 1e3
		e.onDelta(sendDelta, arrDelta, float64(e.cur.lastArrival)/1e3)
	}
	e.prev, e.hasPrev = e.cur, true
	e.cur = group{firstSend: send, lastSend: send, lastArrival: arrival}
}

// resetFilter forgets the delay history (after a nonsensical jump).
func (e *bwEstimator) resetFilter() {
	e.accDelay, e.smoothed, e.nSamples, e.numDeltas, e.hasFirstX = 0, 0, 0, 0, false
	e.overTime, e.overCount, e.prevTrend, e.usage = -1, 0, 0, usageNormal
}

// onDelta feeds one inter-group delay variation (ms) into the trendline
// and the overuse detector.
func (e *bwEstimator) onDelta(sendDelta, arrDelta, at float64) {
	d := arrDelta - sendDelta
	if math.IsNaN(d) || math.Abs(d) > maxDelayJump || sendDelta < 0 {
		e.resetFilter()
		return
	}
	e.numDeltas = min(e.numDeltas+1, 1000)
	e.accDelay += d
	e.smoothed = trendSmoothing*e.smoothed + (1-trendSmoothing)*e.accDelay
	if !e.hasFirstX {
		e.firstX, e.hasFirstX = at, true
	}
	x := at - e.firstX
	if e.nSamples == trendWindow {
		copy(e.samples[:], e.samples[1:])
		e.nSamples--
	}
	e.samples[e.nSamples].x, e.samples[e.nSamples].y = x, e.smoothed
	e.nSamples++
	trend := e.prevTrend
	if e.nSamples == trendWindow {
		if s, ok := e.slope(); ok {
			trend = s
		}
	}
	e.detect(float64(min(e.numDeltas, trendMaxCount))*trend*trendGain, sendDelta, at)
}

// slope is the least-squares slope of the samples.
func (e *bwEstimator) slope() (float64, bool) {
	var sx, sy float64
	n := float64(e.nSamples)
	for _, s := range e.samples[:e.nSamples] {
		sx += s.x
		sy += s.y
	}
	mx, my := sx/n, sy/n
	var num, den float64
	for _, s := range e.samples[:e.nSamples] {
		num += (s.x - mx) * (s.y - my)
		den += (s.x - mx) * (s.x - mx)
	}
	if den == 0 || math.IsNaN(num/den) || math.IsInf(num/den, 0) {
		return 0, false
	}
	return num / den, true
}

// detect compares the modified trend with the adaptive threshold.
func (e *bwEstimator) detect(trend, sendDelta, at float64) {
	if e.numDeltas < 2 {
		e.usage = usageNormal
		return
	}
	switch {
	case trend > e.threshold:
		if e.overTime < 0 {
			e.overTime = sendDelta / 2
		} else {
			e.overTime += sendDelta
		}
		e.overCount++
		if e.overTime > overuseFor && e.overCount > 1 && trend >= e.prevTrend {
			e.overTime, e.overCount = 0, 0
			e.usage = usageOver
			e.sawOveruse = true
		}
	case trend < -e.threshold:
		e.overTime, e.overCount = -1, 0
		e.usage = usageUnder
	default:
		e.overTime, e.overCount = -1, 0
		e.usage = usageNormal
	}
	e.prevTrend = trend
	e.adaptThreshold(trend, at)
}

// adaptThreshold moves the threshold towards the trend's size, slowly
// up and faster down, ignoring spikes far above it.
func (e *bwEstimator) adaptThreshold(trend, at float64) {
	if e.lastThrAt == 0 || at < e.lastThrAt {
		e.lastThrAt = at
	}
	a := math.Abs(trend)
	if a > e.threshold+15 {
		e.lastThrAt = at
		return
	}
	k := thresholdDown
	if a >= e.threshold {
		k = thresholdUp
	}
	dt := min(at-e.lastThrAt, 100)
	e.threshold = min(max(e.threshold+k*(a-e.threshold)*dt, thresholdMin), thresholdMax)
	e.lastThrAt = at
}

// addAcked counts size bytes received at arrival (µs) in the
// acknowledged-rate window.
func (e *bwEstimator) addAcked(arrival, size int64) {
	n := arrival / int64(ackedBucket/time.Microsecond)
	if !e.hasBucket || n > e.newest+int64(ackedBuckets) || n < e.newest-int64(10*ackedBuckets) {
		// first, or a jump of the arrival clock: start again
		e.buckets = [ackedBuckets]struct{ n, bytes int64 }{}
		e.newest, e.firstBkt, e.hasBucket = n, n, true
	}
	if n <= e.newest-int64(ackedBuckets) {
		return // older than the window
	}
	e.newest = max(e.newest, n)
	b := &e.buckets[((n%int64(ackedBuckets))+int64(ackedBuckets))%int64(ackedBuckets)]
	if b.n != n {
		b.n, b.bytes = n, 0
	}
	b.bytes += size
}

// acked returns the acknowledged rate in bits per second (0: unknown).
func (e *bwEstimator) acked() int {
	if !e.hasBucket {
		return 0
	}
	var bytes int64
	for _, b := range e.buckets {
		if b.n > e.newest-int64(ackedBuckets) && b.n <= e.newest {
			bytes += b.bytes
		}
	}
	span := min(e.newest-e.firstBkt+1, int64(ackedBuckets))
	if span < 4 {
		return 0 // under 100 ms: too little to tell
	}
	return int(float64(bytes*8) / (float64(span) * ackedBucket.Seconds()))
}

// updateLoss runs the loss controller on one report's loss fraction.
func (e *bwEstimator) updateLoss(loss float64, now time.Time) {
	if e.lastLossAt.IsZero() {
		e.avgLoss = loss
	} else {
		// A clock that went back (reports timed on two goroutines)
		// counts as no time: the average stays between its old value
		// and loss instead of running past both.
		ms := max(float64(now.Sub(e.lastLossAt).Milliseconds()), 0)
		e.avgLoss = loss + math.Exp(-ms/lossHalfLife)*(e.avgLoss-loss)
	}
	if now.After(e.lastLossAt) {
		e.lastLossAt = now
	}
	up, down := max(e.avgLoss, loss), min(e.avgLoss, loss)
	switch {
	case up < lossLow && now.Sub(e.lastLossUp) >= lossIncreaseEvery:
		e.lastLossUp = now
		e.lossRate = int(float64(e.lossRate) * lossIncrease)
	case down > lossHigh && now.Sub(e.lastLossDown) >= lossDecreaseEvery:
		e.lastLossDown = now
		// Cut by half the loss, but not below what the delay-based
		// controller would cut to: beta times what got through. The
		// reports of one burst of loss (a probe, a keyframe) keep
		// coming for a while after it, and would otherwise cut again
		// and again far below what the link was just seen to carry.
		cut := int(float64(e.lossRate) * (1 - 0.5*down))
		if floor := int(beta * float64(e.acked())); cut < floor {
			cut = min(floor, e.lossRate)
		}
		e.lossRate = cut
	}
	e.lossRate = min(max(e.lossRate, minBitrate), maxBitrate)
	e.out.Loss = e.avgLoss
}

// updateRate runs the delay-based rate controller on the detector's
// signal for the report just processed, and sets the target.
func (e *bwEstimator) updateRate(now time.Time) {
	usage := e.usage
	if e.sawOveruse {
		usage = usageOver
	}
	switch usage {
	case usageOver:
		e.state = rateDecrease
	case usageUnder:
		e.state = rateHold
	default:
		if e.state == rateHold || e.state == rateIncrease {
			e.state = rateIncrease
		} else {
			e.state = rateHold
		}
	}
	acked := e.acked()
	e.out.Decreased = false
	switch e.state {
	case rateIncrease:
		if e.lastUpdate.IsZero() {
			e.lastUpdate = now
		}
		dt := min(max(now.Sub(e.lastUpdate), 0), time.Second) // a clock gone back is no time
		e.lastUpdate = now
		next := e.delayRate
		if e.hasDecAvg && math.Abs(float64(acked)-e.decAvg) < 3*math.Sqrt(e.decVar)+0.05*e.decAvg {
			// Near the rate the link last gave out at: about one
			// packet more per response time.
			rtt := 100 * time.Millisecond
			if e.rtt != nil {
				if r := e.rtt(); r > 0 && r < 2*time.Second {
					rtt = r
				}
			}
			resp := 100*time.Millisecond + rtt
			next += int(max(1000, 1200*8*dt.Seconds()/resp.Seconds()))
		} else {
			next = int(float64(next) * math.Pow(1.08, dt.Seconds()))
		}
		if acked > 0 {
			limit := int(1.5*float64(acked)) + 10_000
			if next > limit {
				// Not above what was acknowledged by much; but not
				// lowered either: nothing says the link got worse.
				next = max(e.delayRate, limit)
			}
		}
		e.delayRate = next
	case rateDecrease:
		e.lastUpdate = now
		if acked > 0 {
			e.delayRate = min(e.delayRate, int(beta*float64(acked)))
			if e.hasDecAvg {
				d := float64(acked) - e.decAvg
				e.decAvg += 0.05 * d
				e.decVar = 0.95 * (e.decVar + 0.05*d*d)
			} else {
				e.decAvg, e.hasDecAvg = float64(acked), true
			}
		} else {
			e.delayRate = int(beta * float64(e.delayRate))
		}
		e.out.Decreased = true
		e.state = rateHold
	case rateHold:
		e.lastUpdate = now
	}
	e.delayRate = min(max(e.delayRate, minBitrate), maxBitrate)
	e.lossRate = min(e.lossRate, e.delayRate)
	e.out.Target = min(max(min(e.delayRate, e.lossRate), minBitrate), maxBitrate)
}

// estimatorFactory builds the interceptor that stamps every packet a
// subscriber's PeerConnection sends with its estimator.
type estimatorFactory struct{ e *bwEstimator }

func (f estimatorFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &estimatorInterceptor{e: f.e}, nil
}

type estimatorInterceptor struct {
	interceptor.NoOp
	e *bwEstimator
}

// BindLocalStream stamps the stream's packets, and any other SSRC's
// written through its writer (RTX resends and padding, which use the
// media stream's writer: nack.go, probe.go).
func (i *estimatorInterceptor) BindLocalStream(info *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	var id uint8
	for _, x := range info.RTPHeaderExtensions {
		if x.URI == extTWCC && x.ID > 0 && x.ID < 15 {
			id = uint8(x.ID)
		}
	}
	if id == 0 {
		return w
	}
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		size := h.MarshalSize() + 8 + len(payload) // with the extension about to be added
		if err := i.e.stamp(h, id, size); err != nil {
			return 0, err
		}
		return w.Write(h, payload, a)
	})
}
