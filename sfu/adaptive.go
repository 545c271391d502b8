package sfu

import (
	"cmp"
	"slices"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/webrtc/v4"
)

// Per-subscriber layer control: every allocInterval the subscriber's
// controller reads its GCC estimate, decides the budget, runs the
// allocator and points each down-track at its layer.
//
// GCC in pion/interceptor raises its estimate by at most 8 % a second
// and has no probing, so after a drop it would take half a minute to find
// room for the top layer again. The controller therefore probes with
// media: when some video is held below what its display needs and nothing
// has signalled congestion for stableFor, it tries the next step up for
// trialLen. Congestion during the trial ends it at once and doubles the
// wait before the next one (up to maxBackoff); a trial that survives
// becomes a floor under the budget until the next congestion signal, and
// the next step may be tried at once.
//
// Congestion is GCC's delay controller decreasing its estimate twice
// within decreaseWindow, or loss over congestionLoss in two rounds running:
// a single decrease or lossy report is what one keyframe burst causes on
// an unpaced link, and is not enough.
const (
	allocInterval  = 200 * time.Millisecond
	statsInterval  = 2 * time.Second
	stableFor      = 2 * time.Second
	trialLen       = 1500 * time.Millisecond
	minBackoff     = 2 * time.Second
	maxBackoff     = 4 * time.Second
	pauseGrace     = 2 * time.Second // a sending video is paused only after this long short of budget, congested
	decreaseWindow = time.Second
	congestionLoss = 0.1
	// burstGrace is how long after a trial starts its loss is not taken for
	// congestion: the trial's first act is a keyframe of the higher layer,
	// a burst that an unpaced sender loses some of even on a link with
	// room to spare. The delay-based signal still counts.
	burstGrace = 700 * time.Millisecond
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
// goroutine (except est, set once while the PeerConnection is built).
type controller struct {
	est            cc.BandwidthEstimator
	lastEst        int
	decreases      int   // fresh GCC decreases within decreaseWindow
	lastDecrease   int64 // nanoseconds
	lossy          int   // consecutive rounds with GCC's loss over congestionLoss
	floor          int   // budget proven by a trial, until congestion
	trialBudget    int   // budget of the running trial, 0 if none
	trialUntil     int64 // nanoseconds
	nextTrial      int64
	backoff        time.Duration
	lastCongestion int64
	budget         int

	subs  []*subscription // reused between rounds
	items []allocItem
	out   []int
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
	lastStats := time.Now()
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
	}
}

// allocate runs one round of the controller. Only allocLoop calls it.
func (s *subscriber) allocate(now int64) {
	c := &s.ctl
	est := s.p.room.sfu.cfg.InitialBitrate
	congested := false
	if c.est != nil {
		est = c.est.GetTargetBitrate()
		st := c.est.GetStats()
		state, _ := st["state"].(string)
		loss, _ := st["averageLoss"].(float64)
		// GCC's stats keep the last decision; a decrease is fresh when
		// the estimate moved with it.
		if now-c.lastDecrease > int64(decreaseWindow) {
			c.decreases = 0
		}
		if state == "decrease" && est != c.lastEst {
			c.decreases++
			c.lastDecrease = now
		}
		if loss > congestionLoss {
			c.lossy++
		} else {
			c.lossy = 0
		}
		// During a trial, loss must outlast the keyframe burst and then
		// persist: GCC's loss average still carries what an earlier
		// limit lost for a while after the limit is gone.
		lossRounds := 2
		if c.trialUntil != 0 {
			lossRounds = 3
		}
		inBurst := c.trialUntil != 0 && now < c.trialUntil-int64(trialLen)+int64(burstGrace)
		congested = c.decreases >= 2 || (c.lossy >= lossRounds && !inBurst)
	}
	c.lastEst = est
	s.estimate.Store(int64(est))
	if congested {
		if c.trialUntil != 0 || c.floor != 0 {
			s.p.log.Debug("congestion", "estimate", est, "decreases", c.decreases, "trial", c.trialUntil != 0, "floor", c.floor)
		}
		c.lastCongestion = now
		c.floor = 0
		if c.trialUntil != 0 {
			c.trialUntil, c.trialBudget = 0, 0
			c.backoff = min(max(c.backoff*2, minBackoff), maxBackoff)
			c.nextTrial = now + int64(c.backoff)
		}
	}
	if c.trialUntil != 0 && now >= c.trialUntil {
		c.floor, c.trialUntil, c.trialBudget = c.trialBudget, 0, 0
		c.backoff = 0
		c.nextTrial = now
	}
	budget := max(est, c.floor, c.trialBudget)

	s.mu.Lock()
	c.subs = c.subs[:0]
	for _, sub := range s.downs {
		c.subs = append(c.subs, sub)
	}
	s.mu.Unlock()
	slices.SortFunc(c.subs, func(a, b *subscription) int {
		ac, ap := rankOf(a.track)
		bc, bp := rankOf(b.track)
		return cmp.Or(cmp.Compare(ac, bc), cmp.Compare(ap, bp), cmp.Compare(a.track.id, b.track.id))
	})
	c.items = c.items[:0]
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
		}
		c.items = append(c.items, it)
	}
	c.out = slices.Grow(c.out[:0], len(c.items))[:len(c.items)]
	used := allocate(budget, c.items, c.out)
	if c.trialUntil == 0 && now-c.lastCongestion >= int64(stableFor) && now >= c.nextTrial {
		if step := nextStep(c.items, c.out); step > 0 {
			c.trialBudget = int(float64(used+step)*upHeadroom) + 1
			c.trialUntil = now + int64(trialLen)
			budget = c.trialBudget
			s.p.log.Debug("probe", "estimate", est, "budget", budget)
			allocate(budget, c.items, c.out)
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
			// shows no congestion (GCC undershoots after a loss burst),
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
	for _, sub := range c.subs {
		d := sub.down
		b := d.bytes.Load()
		rate := 0
		if a := &d.alloc; !a.statsAt.IsZero() {
			if el := now.Sub(a.statsAt); el > 0 {
				rate = int(float64(b-a.statsBytes) * 8 / el.Seconds())
			}
		}
		d.alloc.statsBytes, d.alloc.statsAt = b, now
		st.Tracks = append(st.Tracks, TrackStats{TrackID: sub.track.id, Layer: d.Layer(), Paused: d.alloc.reported.Paused, Bitrate: rate})
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
