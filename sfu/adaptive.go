package sfu

import (
	"cmp"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// Per-subscriber layer control: every allocInterval the subscriber's
// controller reads its bandwidth estimator (estimator.go), decides the
// budget, runs the allocator and points each down-track at its layer.
//
// The estimator raises its estimate by a few percent a second and never
// far above what is acknowledged, so after a drop it would take half a
// minute to find room for the top layer again. The controller therefore
// probes: when some video is held below what its display needs and
// nothing has signalled congestion for a while, it tries a higher budget
// for a short while. With RTX negotiated the try is padding on top of the
// media (probe.go): up to probeGrowth times what is sent, paced, for
// probeLen (sending probeOvershoot more than it proves), and the layers
// move only once it has succeeded; otherwise it
// is the next layer itself (a media trial, trialLen). Congestion during a
// try ends it at once and doubles the wait before the next one; a try
// that survives becomes a floor under the budget until the next
// congestion signal, and the next may start a round later.
//
// Congestion is the estimator's delay controller decreasing its estimate twice
// within decreaseWindow, or the estimate falling by more than bigCut at
// once, or loss over congestionLoss in two rounds running: a single small
// decrease or lossy report is what one keyframe burst causes on an
// unpaced link, and is not enough. During a padding probe either is.
const (
	allocInterval  = 200 * time.Millisecond
	statsInterval  = 2 * time.Second
	stableFor      = 2 * time.Second // quiet needed before a media trial
	trialLen       = 1500 * time.Millisecond
	minBackoff     = 2 * time.Second
	maxBackoff     = 4 * time.Second
	pauseGrace     = 2 * time.Second // a sending video is paused only after this long short of budget, congested
	decreaseWindow = time.Second
	congestionLoss = 0.1
	// bigCut: an estimate falling below this part of the previous one
	// in one round is congestion (the estimator cuts to 85 % of the rate received
	// when the queue grows, and by half the loss when packets are lost:
	// a deep cut means far less got through than was sent).
	bigCut = 0.7
	// burstGrace is how long after a media trial starts its loss is not
	// taken for congestion: the trial's first act is a keyframe of the
	// higher layer, a burst that an unpaced sender loses some of even on
	// a link with room to spare. The delay-based signal still counts.
	burstGrace = 700 * time.Millisecond

	// Padding probes (probe.go): quiet needed before one, how long one
	// lasts, the wait after a failed one, and how far above what is sent
	// one may aim.
	probeQuiet      = time.Second
	probeLen        = 600 * time.Millisecond
	minProbeBackoff = time.Second
	maxProbeBackoff = 2 * time.Second
	probeGrowth     = 4
	// probeOvershoot: a probe sends this much more than the rate it is
	// to prove, so that a link with a deep queue a little short of that
	// rate shows loss within the probe instead of only after the layers
	// have moved up.
	probeOvershoot = 1.5
	// probeMargin: a probe for everything wanted aims this much above
	// its cost (with the upgrade headroom), since the layers' measured
	// rates move with every keyframe: one probe should be enough.
	probeMargin = 1.2
	// probeNACKs is the part of the video sent during a probe that the
	// subscriber may NACK before the probe counts as failed (a probe
	// that floods a narrow link loses most of it; a few NACKs are
	// losses from before the probe, reported late).
	probeNACKs = 0.25
)

// allocState is a down-track's part in its subscriber's allocation.
type allocState struct {
	// view is the client's display of the track (adaptive stream):
	// 0 until told; else viewSet | (viewHidden) | height<<16 | width.
	view atomic.Uint64

	// Owned by the allocator goroutine.
	deficitSince int64
	reported     TrackQuality
	hasReported  bool
	statsBytes   uint64
	statsAt      time.Time
}

const (
	viewSet    = 1 << 62
	viewHidden = 1 << 61
)

func (a *allocState) init() { a.reported.Layer = layerNone }

// controller is a subscriber's allocation state, owned by its allocator
// goroutine.
type controller struct {
	lastEst        int
	decreases      int   // fresh delay-based decreases within decreaseWindow
	lastDecrease   int64 // nanoseconds
	lossy          int   // consecutive rounds with the estimator's loss over congestionLoss
	lastReports    uint64
	floor          int   // budget proven by a trial, until congestion
	trialBudget    int   // budget of the running trial, 0 if none
	trialUntil     int64 // nanoseconds
	trialStart     int64
	nacked0, sent0 uint64 // the subscriber's NACKed and sent video packets when the trial began
	padding        bool   // the running trial is a padding probe
	nextTrial      int64
	backoff        time.Duration
	lastCongestion int64
	budget         int
	probe          *prober

	subs   []*subscription // reused between rounds
	pinned []*subscription // a relay's layer streams, reused between reports
	items  []allocItem
	out    []int
}

// endTrial ends the running trial; a padding probe stops sending.
func (c *controller) endTrial() {
	c.trialUntil, c.trialBudget = 0, 0
	if c.padding && c.probe != nil {
		c.probe.stop.Store(true)
	}
}

// SetTrackSettings tells the SFU how the client shows a video track it
// receives: at most width×height CSS pixels times devicePixelRatio (0, 0:
// no limit), or not at all when visible is false. The subscriber is never
// sent a layer larger than that needs, and nothing while it is hidden.
func (p *Participant) SetTrackSettings(trackID string, width, height int, visible bool) error {
	p.mu.Lock()
	s := p.sub
	p.mu.Unlock()
	if s == nil {
		return ErrNotSubscribing
	}
	s.mu.Lock()
	sub := s.downs[trackID]
	s.mu.Unlock()
	if sub == nil {
		return ErrUnknownTrack
	}
	v := uint64(viewSet) | uint64(min(max(width, 0), 0xffff)) | uint64(min(max(height, 0), 0xffff))<<16
	if !visible {
		v |= viewHidden
	}
	sub.down.alloc.view.Store(v)
	s.kick()
	return nil
}

// maxLayerFor is the highest layer of t worth sending to a display
// described by view: the smallest layer at least as large as the display
// (within 10 %), layerNone when hidden.
func maxLayerFor(t *Track, view uint64) int {
	top := int(t.top.Load())
	if view&viewSet != 0 && view&viewHidden != 0 {
		return layerNone // hidden: nothing, simulcast or not
	}
	if view&viewSet == 0 || top <= 0 {
		return top
	}
	w, h := int(view&0xffff), int(view>>16&0xffff)
	if w == 0 && h == 0 {
		return top
	}
	// Sizes not seen yet are guessed from a layer that was, each layer
	// being twice the one below; failing that from 1280×720 at the top.
	refW, refH, refI := 1280, 720, top
	for i := top; i >= 0; i-- {
		if l := t.layers[i].Load(); l != nil && l.width.Load() > 0 {
			refW, refH, refI = int(l.width.Load()), int(l.height.Load()), i
			break
		}
	}
	for i := 0; i < top; i++ {
		l := t.layers[i].Load()
		if l == nil {
			continue
		}
		lw, lh := int(l.width.Load()), int(l.height.Load())
		if lw == 0 {
			shift := refI - i
			lw, lh = refW>>shift, refH>>shift
			if shift < 0 {
				lw, lh = refW<<-shift, refH<<-shift
			}
		}
		if lw*10 >= w*9 && lh*10 >= h*9 {
			return i
		}
	}
	return top
}

// rankOf orders tracks for the allocator: audio, screen share, then
// cameras by their owner's priority.
func rankOf(t *Track) (class, prio int) {
	switch {
	case t.kind == webrtc.RTPCodecTypeAudio:
		return 0, 0
	case t.source == SourceScreen:
		return 1, -t.owner.cfg.Priority
	}
	return 2, -t.owner.cfg.Priority
}

// kick makes the allocator run soon.
func (s *subscriber) kick() {
	select {
	case s.kickc <- struct{}{}:
	default:
	}
}

func (s *subscriber) allocLoop() {
	defer s.rtcpGroup.Done()
	tick := time.NewTicker(allocInterval)
	defer tick.Stop()
	lastStats, lastSR := time.Now(), time.Now()
	for {
		select {
		case <-s.done:
			return
		case <-s.kickc:
		case <-tick.C:
		}
		now := time.Now()
		s.allocate(now.UnixNano())
		if now.Sub(lastStats) >= statsInterval {
			lastStats = now
			s.reportStats()
		}
		if now.Sub(lastSR) >= srInterval {
			lastSR = now
			s.sendReports(now)
		}
	}
}

// allocate runs one round of the controller. Only allocLoop calls it.
func (s *subscriber) allocate(now int64) {
	c := &s.ctl
	e := s.est.Estimate()
	est, loss := e.Target, e.Loss
	congested := false
	// The estimator keeps its last decision; a decrease is fresh
	// when the estimate moved with it.
	if now-c.lastDecrease > int64(decreaseWindow) {
		c.decreases = 0
	}
	freshDecrease := e.Decreased && est != c.lastEst
	if freshDecrease {
		c.decreases++
		c.lastDecrease = now
	}
	// The loss figure changes only when feedback is processed: with
	// no report since the last round it is old news, not a new
	// lossy round.
	fresh := e.Reports != c.lastReports
	c.lastReports = e.Reports
	if fresh && loss > congestionLoss {
		c.lossy++
	} else if fresh {
		c.lossy = 0
	}
	// A deep cut with fresh loss is news enough on its own (a
	// deep cut without loss is more often a stall of this machine
	// than of the link, and waits for a second decrease).
	bigDrop := float64(est) < float64(c.lastEst)*bigCut && fresh && loss > congestionLoss
	// During a media trial, loss must outlast the keyframe burst and
	// then persist: the estimator's loss average still carries what an earlier
	// limit lost for a while after the limit is gone.
	lossRounds := 2
	inBurst := false
	if c.trialUntil != 0 && !c.padding {
		lossRounds = 3
		inBurst = now < c.trialStart+int64(burstGrace)
	}
	congested = c.decreases >= 2 || bigDrop || (fresh && c.lossy >= lossRounds && !inBurst)
	if c.trialUntil != 0 && c.padding {
		// Padding costs the subscriber nothing when the link has
		// room: one decrease or lossy round ends the probe, and so
		// does the subscriber NACKing more than probeNACKs of the
		// video sent meanwhile (media lost behind the padding;
		// the estimator's figures can lag a flooded link by a second).
		nacked, sent := s.nacked.Load()-c.nacked0, s.vsent.Load()-c.sent0
		hurt := sent >= 10 && nacked >= 4 && float64(nacked) > probeNACKs*float64(sent)
		if hurt || freshDecrease || (fresh && loss > congestionLoss) {
			s.p.log.Debug("probe failed", "nacked", nacked, "sent", sent, "loss", loss, "fresh", fresh, "decrease", freshDecrease)
			congested = true
		}
	}
	c.lastEst = est
	s.estimate.Store(int64(est))
	if congested {
		if c.trialUntil != 0 || c.floor != 0 {
			s.p.log.Debug("congestion", "estimate", est, "decreases", c.decreases, "trial", c.trialUntil != 0, "padding", c.padding, "floor", c.floor)
		}
		c.lastCongestion = now
		if c.trialUntil == 0 || !c.padding {
			// A failed padding probe disproves its own rate, not the
			// floor proven before it.
			c.floor = 0
		}
		if c.trialUntil != 0 {
			c.endTrial()
			lo, hi := minBackoff, maxBackoff
			if c.padding {
				lo, hi = minProbeBackoff, maxProbeBackoff
			}
			c.backoff = min(max(c.backoff*2, lo), hi)
			c.nextTrial = now + int64(c.backoff)
		}
	}
	if c.trialUntil != 0 && now >= c.trialUntil {
		s.p.log.Debug("probe passed", "estimate", est, "budget", c.trialBudget, "padding", c.padding)
		c.floor = c.trialBudget
		c.endTrial()
		c.backoff = 0
		c.nextTrial = now + int64(allocInterval)
	}
	budget := max(est, c.floor)
	if !c.padding {
		budget = max(budget, c.trialBudget)
	}

	s.mu.Lock()
	c.subs = c.subs[:0]
	for _, sub := range s.downs {
		if !sub.down.pinned { // a relay's layer streams keep their layer
			c.subs = append(c.subs, sub)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(c.subs, func(a, b *subscription) int {
		ac, ap := rankOf(a.track)
		bc, bp := rankOf(b.track)
		return cmp.Or(cmp.Compare(ac, bc), cmp.Compare(ap, bp), cmp.Compare(a.track.id, b.track.id))
	})
	c.items = c.items[:0]
	var pad *DownTrack // a video down-track that can carry padding probes
	for _, sub := range c.subs {
		t, d := sub.track, sub.down
		it := allocItem{audio: t.kind == webrtc.RTPCodecTypeAudio, cur: int(d.target.Load())}
		for i := range t.layers {
			// A layer counts when it is arriving, or paused by dynacast
			// (it comes back when asked): not one the publisher
			// dropped on its own.
			if l := t.layers[i].Load(); l != nil && (i == 0 || l.rate.Load() > 0 || t.active.Load()&(1<<i) == 0) {
				it.rates[i] = max(l.cost(), 1)
			}
		}
		it.max = maxLayerFor(t, d.alloc.view.Load())
		if it.audio {
			it.max = 0
		} else if pad == nil && c.probe != nil && d.canPad() {
			pad = d
		}
		c.items = append(c.items, it)
	}
	c.out = slices.Grow(c.out[:0], len(c.items))[:len(c.items)]
	used := allocate(budget, c.items, c.out)
	quiet := stableFor
	if pad != nil {
		quiet = probeQuiet
	}
	if c.trialUntil == 0 && now-c.lastCongestion >= int64(quiet) && now >= c.nextTrial {
		if step := nextStep(c.items, c.out); step > 0 {
			goal := int(float64(used+step)*upHeadroom) + 1
			if pad != nil {
				// Aim at everything wanted at once when that is within
				// probeGrowth of what is sent; otherwise go there in
				// steps of probeGrowth.
				want := allocate(math.MaxInt/2, c.items, c.out)
				goal = max(goal, min(int(float64(want)*upHeadroom*probeMargin)+1, max(used, c.floor, est)*probeGrowth))
				allocate(budget, c.items, c.out)
			}
			c.trialBudget, c.trialStart = goal, now
			c.nacked0, c.sent0 = s.nacked.Load(), s.vsent.Load()
			c.padding = pad != nil
			if c.padding {
				c.trialUntil = now + int64(probeLen)
				c.probe.start(probe{d: pad, rate: int(float64(goal)*probeOvershoot) - used, until: c.trialUntil})
			} else {
				c.trialUntil = now + int64(trialLen)
				budget = goal
				allocate(budget, c.items, c.out)
			}
			s.p.log.Debug("probe", "estimate", est, "budget", goal, "padding", c.padding)
		}
	}
	c.budget = budget

	ql, _ := s.p.cfg.Listener.(QualityListener)
	for i, sub := range c.subs {
		it, d := &c.items[i], sub.down
		if it.audio {
			continue
		}
		l := c.out[i]
		starved := l == layerNone && it.max != layerNone && it.lowest() != layerNone
		if starved && it.cur >= 0 {
			// Pausing is drastic: hold the lowest layer while the link
			// shows no congestion (the estimate undershoots after a loss burst),
			// and for pauseGrace of congestion.
			if d.alloc.deficitSince == 0 || now-c.lastCongestion > int64(time.Second) {
				d.alloc.deficitSince = now
			}
			if now-d.alloc.deficitSince < int64(pauseGrace) {
				l, starved = it.lowest(), false
			}
		} else if !starved {
			d.alloc.deficitSince = 0
		}
		d.setTarget(int32(l))
		q := TrackQuality{TrackID: sub.track.id, Layer: l, Paused: starved}
		if ql != nil && (!d.alloc.hasReported || q != d.alloc.reported) {
			d.alloc.reported, d.alloc.hasReported = q, true
			ql.TrackQuality(q)
		}
	}
}

// reportStats builds the subscriber's figures, keeps them and sends them
// to the client.
func (s *subscriber) reportStats() {
	c := &s.ctl
	st := SubscriberStats{
		Estimate: int(s.estimate.Load()),
		Budget:   c.budget,
		Loss:     float64(s.lossQ8.Load()) / 256,
		RTTMs:    float64(s.rttMicros.Load()) / 1000,
	}
	now := time.Now()
	add := func(sub *subscription, id string) {
		d := sub.down
		b := d.bytes.Load()
		rate := 0
		if a := &d.alloc; !a.statsAt.IsZero() {
			if el := now.Sub(a.statsAt); el > 0 {
				rate = int(float64(b-a.statsBytes) * 8 / el.Seconds())
			}
		}
		d.alloc.statsBytes, d.alloc.statsAt = b, now
		st.Tracks = append(st.Tracks, TrackStats{TrackID: id, Layer: d.Layer(), Paused: d.alloc.reported.Paused, Bitrate: rate})
	}
	for _, sub := range c.subs {
		add(sub, sub.track.id)
	}
	// A relay's layer streams, outside the allocation, by their own ids.
	s.mu.Lock()
	c.pinned = c.pinned[:0]
	for _, sub := range s.downs {
		if sub.down.pinned {
			c.pinned = append(c.pinned, sub)
		}
	}
	s.mu.Unlock()
	for _, sub := range c.pinned {
		add(sub, sub.down.id)
	}
	s.stats.Store(&st)
	if ql, ok := s.p.cfg.Listener.(QualityListener); ok {
		ql.SubscriberStats(st)
	}
}

// SubscriberStats returns the latest figures of the participant's
// receiving connection (zero before the first report).
func (p *Participant) SubscriberStats() SubscriberStats {
	p.mu.Lock()
	s := p.sub
	p.mu.Unlock()
	if s == nil {
		return SubscriberStats{}
	}
	if st := s.stats.Load(); st != nil {
		return *st
	}
	return SubscriberStats{Estimate: int(s.estimate.Load())}
}

// Estimate returns the subscriber connection's current bandwidth estimate
// in bits per second, 0 when not subscribing.
func (p *Participant) Estimate() int {
	p.mu.Lock()
	s := p.sub
	p.mu.Unlock()
	if s == nil {
		return 0
	}
	return int(s.estimate.Load())
}

// SubscribedLayer returns the layer of a track the participant receives
// now and the one it is switching to (-1: none).
func (p *Participant) SubscribedLayer(trackID string) (current, target int, err error) {
	p.mu.Lock()
	s := p.sub
	p.mu.Unlock()
	if s == nil {
		return layerNone, layerNone, ErrNotSubscribing
	}
	s.mu.Lock()
	sub := s.downs[trackID]
	s.mu.Unlock()
	if sub == nil {
		return layerNone, layerNone, ErrUnknownTrack
	}
	return sub.down.Layer(), sub.down.TargetLayer(), nil
}
