package signaling

import (
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/token"
)

// The session is also the SFU's sfu.QualityListener: simulcast layer
// changes, dynacast, speakers and per-subscriber figures (docs/protocol.md,
// "Simulcast and adaptive quality").

const (
	TypeTrackSettings   = "track.settings"
	TypeTrackQuality    = "track.quality"
	TypePublisherLayers = "publisher.layers"
	TypeSpeakers        = "speakers"
	TypeSubscriberStats = "subscriber.stats"
)

// TrackSettings is the payload of track.settings: how a subscriber shows
// one video (device pixels; 0 × 0 means no limit).
type TrackSettings struct {
	TrackID string `json:"trackId"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Visible bool   `json:"visible"`
}

var _ sfu.QualityListener = (*session)(nil)

func (ss *session) TrackQuality(q sfu.TrackQuality) {
	ss.emit(func() { ss.send(TypeTrackQuality, "", q) })
}

func (ss *session) PublisherLayers(l sfu.PublisherLayers) {
	ss.emit(func() { ss.send(TypePublisherLayers, "", l) })
}

// Speakers forwards the room's speakers and records whether this session's
// own participant speaks in the classroom's presence.
func (ss *session) Speakers(sp sfu.Speakers) {
	ss.emit(func() {
		ss.send(TypeSpeakers, "", sp)
		speaking := false
		for _, s := range sp.Speaking {
			if s.ParticipantID == ss.pid {
				speaking = true
			}
		}
		if ss.live != nil {
			ss.srv.apply(ss.lesson, ss.live, ss.live.SetSpeaking(ss.pid, speaking))
		}
	})
}

// SubscriberStats forwards the figures and turns them into the connection
// grade the moderators see (participant.quality, smoothed by grade).
func (ss *session) SubscriberStats(st sfu.SubscriberStats) {
	ss.emit(func() {
		ss.send(TypeSubscriberStats, "", st)
		if ss.live != nil {
			if q, ok := ss.grade.next(qualityOf(st)); ok {
				ss.srv.apply(ss.lesson, ss.live, ss.live.SetQuality(ss.pid, q))
			}
		}
	})
}

// qualityHold is how many reports in a row (2 s apart) a better grade
// must hold before the moderators see it. A worse grade shows at once.
const qualityHold = 3

// qualityGrade smooths a session's connection grade, so that a link near
// a threshold does not flap. Only the session's own goroutine uses it.
type qualityGrade struct {
	shown, better live.Quality
	held          int
}

// next takes the latest report's grade; ok when the shown grade changes.
func (g *qualityGrade) next(q live.Quality) (live.Quality, bool) {
	switch {
	case q == g.shown:
		g.held = 0
		return q, false
	case g.shown != live.QualityUnknown && qualityRank(q) > qualityRank(g.shown):
		if q != g.better {
			g.better, g.held = q, 0
		}
		if g.held++; g.held < qualityHold {
			return g.shown, false
		}
	}
	g.shown, g.held = q, 0
	return q, true
}

func qualityRank(q live.Quality) int {
	switch q {
	case live.QualityPoor:
		return 1
	case live.QualityFair:
		return 2
	case live.QualityGood:
		return 3
	}
	return 0
}

// qualityOf grades a subscriber's link from its loss and round-trip time.
func qualityOf(st sfu.SubscriberStats) live.Quality {
	switch {
	case st.Loss > 0.10 || st.RTTMs > 400:
		return live.QualityPoor
	case st.Loss > 0.02 || st.RTTMs > 150:
		return live.QualityFair
	}
	return live.QualityGood
}

// priority ranks a participant's video in every subscriber's bandwidth
// allocation, after audio and screen shares: the teacher first.
func priority(r token.Role) int {
	switch r {
	case token.RoleTeacher:
		return 10
	case token.RoleAssistant:
		return 5
	}
	return 0
}
