package sfu

import "time"

// dynacastDelay is how long a layer must be unused before the publisher is
// asked to stop sending it. A layer that becomes needed is asked for at
// once.
const dynacastDelay = 2 * time.Second

// usedLayers returns the layers some down-track forwards or is switching
// to, as a bit mask.
func (t *Track) usedLayers() uint32 {
	var used uint32
	top := t.top.Load()
	for _, d := range *t.downs.Load() {
		for _, l := range [2]int32{d.curLayer.Load(), d.target.Load()} {
			if l == layerAuto {
				l = top
			}
			if l >= 0 && l < maxLayers {
				used |= 1 << l
			}
		}
	}
	return used
}

// dynacast pauses at the publisher the simulcast layers nobody receives and
// resumes those someone needs (LiveKit calls this dynacast). It runs on the
// track's control goroutine. Tracks without RIDs are left alone: there is
// no encoding to name.
func (t *Track) dynacast(now int64) {
	if !t.Simulcast() {
		return
	}
	used := t.usedLayers()
	act := t.active.Load()
	next := act
	for i := 0; i < maxLayers; i++ {
		bit := uint32(1) << i
		switch {
		case used&bit != 0:
			t.unusedSince[i] = 0
			next |= bit
		case act&bit == 0:
		case t.unusedSince[i] == 0:
			t.unusedSince[i] = now
		case time.Duration(now-t.unusedSince[i]) >= dynacastDelay:
			next &^= bit
		}
	}
	if next == act {
		return
	}
	t.active.Store(next)
	t.tellPublisher(next)
}

// tellPublisher sends the publisher which encodings to keep active.
func (t *Track) tellPublisher(mask uint32) {
	ql, ok := t.owner.cfg.Listener.(QualityListener)
	if !ok {
		return
	}
	u := PublisherLayers{TrackID: t.id, ClientTrackID: t.clientID, Active: map[string]bool{}}
	for i := range t.layers {
		if l := t.layers[i].Load(); l != nil && l.rid != "" {
			u.Active[l.rid] = mask&(1<<i) != 0
		}
	}
	if len(u.Active) == 0 {
		return
	}
	t.owner.log.Debug("dynacast", "track", t.id, "active", u.Active)
	ql.PublisherLayers(u)
}
