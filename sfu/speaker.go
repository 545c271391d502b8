package sfu

import (
	"math"
	"slices"
	"time"
)

// Speaker detection from the audio-level header extension (RFC 6464),
// read for every audio track on the forwarding path: each packet adds
// its loudness to two counters, and the room looks at them every
// speakerInterval.
const (
	speakerInterval = 300 * time.Millisecond
	// speakingDBov is the mean level above which someone counts as
	// speaking (speech is about -20 to -40 dBov; rooms hiss at -60).
	speakingDBov = -50.0
)

// speakerState is what the room's speaker loop remembers between looks.
type speakerState struct {
	active   string
	speaking []SpeakerLevel
}

// speakerLoop reports speaking participants to everyone in the room.
func (r *Room) speakerLoop() {
	defer r.wg.Done()
	tick := time.NewTicker(speakerInterval)
	defer tick.Stop()
	var st speakerState
	for {
		select {
		case <-r.done:
			return
		case <-tick.C:
		}
		if ev, changed := st.update(r.Tracks()); changed {
			for _, p := range r.Participants() {
				if ql, ok := p.cfg.Listener.(QualityListener); ok {
					ql.Speakers(ev)
				}
			}
		}
	}
}

// update reads and resets the tracks' level counters; changed is true
// when the set of speakers or the active speaker changed.
func (st *speakerState) update(tracks []*Track) (Speakers, bool) {
	levels := map[string]float64{}
	for _, t := range tracks {
		if t.source != SourceMicrophone || t.audioLevelID == 0 {
			continue
		}
		n := t.levelN.Swap(0)
		sum := t.levelSum.Swap(0)
		if n == 0 {
			continue
		}
		dbov := float64(sum)/float64(n) - 127
		if dbov < speakingDBov {
			continue
		}
		lvl := math.Pow(10, dbov/20)
		if id := t.shownID(); lvl > levels[id] {
			levels[id] = lvl
		}
	}
	speaking := make([]SpeakerLevel, 0, len(levels))
	for id, l := range levels {
		speaking = append(speaking, SpeakerLevel{ParticipantID: id, Level: math.Round(l*1000) / 1000})
	}
	slices.SortFunc(speaking, func(a, b SpeakerLevel) int {
		if a.Level != b.Level {
			if a.Level > b.Level {
				return -1
			}
			return 1
		}
		if a.ParticipantID < b.ParticipantID {
			return -1
		}
		return 1
	})
	active := st.active
	if len(speaking) > 0 {
		active = speaking[0].ParticipantID
	}
	same := active == st.active && len(speaking) == len(st.speaking)
	for i := 0; same && i < len(speaking); i++ {
		same = speaking[i].ParticipantID == st.speaking[i].ParticipantID
	}
	st.active, st.speaking = active, speaking
	return Speakers{Active: active, Speaking: speaking}, !same
}
