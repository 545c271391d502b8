package signaling

import (
	"context"
	"errors"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/sfu"
)

// The classroom side of signalling: each lesson in progress has one
// live.Lesson, the authority on who may do what. Classroom messages go to
// it; what it produces is delivered to the lesson's sessions, and its media
// effects are enforced at the SFU.

// liveTypes are the message types handed to the classroom.
var liveTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range live.MessageTypes() {
		m[t] = true
	}
	return m
}()

// lessonFor returns the live state of a lesson, creating it on first
// use, or errEnded if the lesson has ended here.
func (s *Server) lessonFor(id string) (*live.Lesson, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended[id] {
		return nil, errEnded
	}
	l := s.live[id]
	if l == nil {
		opts := []live.Option{live.WithStore(s.cfg.LiveStore), live.WithLogger(s.log.With("lesson", id))}
		if s.cfg.LessonOptions != nil {
			opts = append(opts, s.cfg.LessonOptions(id)...)
		}
		l = live.New(id, opts...)
		// Open questions and polls (and closed ones, for exports) come back
		// from the store: after a restart, or after the lesson was idle.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := l.Restore(ctx); err != nil {
			s.log.Warn("restoring the live lesson", "lesson", id, "err", err)
		}
		cancel()
		s.live[id] = l
	}
	return l, nil
}

// liveError converts a classroom refusal into the client's error.
func liveError(err error) (*live.Error, bool) {
	var le *live.Error
	if errors.As(err, &le) {
		return le, true
	}
	return nil, false
}

// apply delivers a classroom result to the lesson's sessions, then
// enforces its effects.
func (s *Server) apply(lessonID string, l *live.Lesson, res live.Result) {
	if len(res.Events) > 0 {
		members := s.memberIndex(lessonID)
		now := time.Now()
		ds := l.Route(res.Events)
		for _, d := range ds {
			frame, err := encodeFrame(d.Type, "", d.Payload)
			if err != nil {
				s.log.Error("marshal classroom event", "type", d.Type, "err", err)
				continue
			}
			for _, pid := range d.To {
				if m := members[pid]; m == nil {
					continue
				} else if len(ds) == 1 {
					m.sendFrame(frame, now) // written at once where nothing waits
				} else {
					m.queueFrame(frame, now) // the write loops send each recipient's frames together
				}
			}
		}
	}
	for _, e := range res.Effects {
		s.enforce(lessonID, e)
	}
}

func (s *Server) enforce(lessonID string, e live.Effect) {
	room := s.cfg.SFU.Room(lessonID)
	var part *sfu.Participant
	if room != nil && e.Participant != "" {
		part = room.Participant(e.Participant)
	}
	switch e.Kind {
	case live.EffectGrantPublish:
		// publish.offer then limits a student to camera and microphone.
		if part != nil {
			part.SetPublish(true)
		}
	case live.EffectRevokePublish:
		if ss := s.member(lessonID, e.Participant); ss != nil && ss.claims.Permissions.Publish {
			return // the token itself allows publishing
		}
		if part != nil {
			part.SetPublish(false)
		}
	case live.EffectMuteAudio, live.EffectUnmuteAudio:
		if part != nil {
			part.SetSourceMuted(sfu.SourceMicrophone, e.Kind == live.EffectMuteAudio)
		}
	case live.EffectStopVideo, live.EffectResumeVideo:
		if part != nil {
			part.SetSourceMuted(sfu.SourceCamera, e.Kind == live.EffectStopVideo)
		}
	case live.EffectDisconnect:
		s.disconnect(lessonID, e)
	case live.EffectEndLesson:
		// The lesson's owner (endLive) closes every connection, then the
		// room, so that each learns why.
	}
}

// disconnect closes the connection a classroom effect names (a
// WebSocket or a WHIP/WHEP session); a ban closes every connection of the
// banned user to the lesson.
func (s *Server) disconnect(lessonID string, e live.Effect) {
	var code websocket.StatusCode = CloseRemoved
	if e.Reason == "replaced" {
		code = CloseReplaced
	}
	user := ""
	s.mu.Lock()
	for ss := range s.sessions {
		if ss.connID == e.Conn {
			user = ss.claims.User
			go ss.closeWith(code, e.Reason)
		}
	}
	s.mu.Unlock()
	for _, hs := range s.whip.all() {
		if hs.pid == e.Conn {
			user = hs.user
			s.closeHTTP(hs, access.Reason(e.Reason))
		}
	}
	if e.Reason != "banned" || user == "" {
		return
	}
	for _, ss := range s.members(lessonID) {
		if ss.claims.User == user {
			go ss.closeWith(CloseRemoved, "banned")
		}
	}
	for _, hs := range s.whip.all() {
		if hs.lesson == lessonID && hs.user == user {
			s.closeHTTP(hs, access.ReasonBanned)
		}
	}
}

// member returns the session of a participant in a lesson.
func (s *Server) member(lessonID, pid string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.lessons[lessonID]; h != nil {
		return h.members[pid]
	}
	return nil
}

// tickLoop drives the classroom's timers (reconnection grace, stage
// invitations, poll timers) and forgets lessons nobody is in any more.
func (s *Server) tickLoop() {
	defer s.wg.Done()
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	lastSweep, lastRecheck := time.Now(), time.Now()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			if now.Sub(lastSweep) >= s.cfg.SweepEvery {
				lastSweep = now
				s.sweep(now)
			}
			if now.Sub(lastRecheck) >= s.cfg.RecheckEvery {
				lastRecheck = now
				if s.rechecking.CompareAndSwap(false, true) {
					s.goAsync(func() {
						defer s.rechecking.Store(false)
						s.recheck(func(gate) bool { return true })
					})
				}
			}
			s.mu.Lock()
			lessons := make(map[string]*live.Lesson, len(s.live))
			for id, l := range s.live {
				lessons[id] = l
			}
			s.mu.Unlock()
			for id, l := range lessons {
				res := l.Tick(context.Background(), now)
				s.apply(id, l, res)
				if !l.Ended() && len(l.Participants()) == 0 {
					s.mu.Lock()
					if s.lessons[id] == nil && s.live[id] == l {
						delete(s.live, id)
						delete(s.chats, l)
					}
					s.mu.Unlock()
				}
			}
		}
	}
}
