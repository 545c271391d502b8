package live

import (
	"context"

	"github.com/lectern/lectern/token"
)

// ParticipantMute is the payload of participant.mute.
type ParticipantMute struct {
	ParticipantID string `json:"participantId"`
}

// ParticipantAskUnmute is the payload of participant.askUnmute.
type ParticipantAskUnmute struct {
	ParticipantID string `json:"participantId"`
}

// ParticipantStopCamera is the payload of participant.stopCamera.
type ParticipantStopCamera struct {
	ParticipantID string `json:"participantId"`
}

// ParticipantRemove is the payload of participant.remove.
type ParticipantRemove struct {
	ParticipantID string `json:"participantId"`
	Ban           bool   `json:"ban,omitempty"`
}

// MediaState is the payload of media.state: the participant reports turning
// their own microphone or camera on or off. Absent fields are unchanged.
type MediaState struct {
	Muted     *bool `json:"muted,omitempty"`
	CameraOff *bool `json:"cameraOff,omitempty"`
}

// LessonLock is the payload of lesson.lock.
type LessonLock struct {
	Locked bool `json:"locked"`
}

// LessonEnd is the payload of lesson.end.
type LessonEnd struct{}

// ByModerator is the payload of media.muted, media.unmuteRequested and
// media.cameraStopped, sent to the participant concerned.
type ByModerator struct {
	By string `json:"by"`
}

// Ended is the payload of lesson.ended.
type Ended struct {
	By string `json:"by"`
}

// Mute mutes a participant's microphone: the SFU stops forwarding their
// audio, and they may unmute only after a moderator asks.
func (l *Lesson) Mute(ctx context.Context, actorID string, c ParticipantMute) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.moderator(actorID)
	if err != nil {
		return r, err
	}
	t, err := l.target(m, c.ParticipantID)
	if err != nil {
		return r, err
	}
	if t.muteLocked {
		return r, errf(CodeConflict, "already muted")
	}
	t.muted, t.muteLocked, t.unmuteAsked = true, true, false
	r.effect(Effect{Kind: EffectMuteAudio, Participant: t.ID, Reason: "moderator"})
	r.emit(EvMediaMuted, only(t.ID), ByModerator{By: m.ID})
	l.updated(&r, t)
	return r, nil
}

// AskUnmute asks a muted participant to unmute; they decide.
func (l *Lesson) AskUnmute(ctx context.Context, actorID string, c ParticipantAskUnmute) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.moderator(actorID)
	if err != nil {
		return r, err
	}
	t, err := l.target(m, c.ParticipantID)
	if err != nil {
		return r, err
	}
	if !t.muted {
		return r, errf(CodeConflict, "not muted")
	}
	t.unmuteAsked = true
	r.emit(EvMediaUnmuteRequested, only(t.ID), ByModerator{By: m.ID})
	return r, nil
}

// StopCamera stops forwarding a participant's camera. They may turn it
// on again (media.state), which resumes forwarding; to keep them off, take
// them off stage.
func (l *Lesson) StopCamera(ctx context.Context, actorID string, c ParticipantStopCamera) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.moderator(actorID)
	if err != nil {
		return r, err
	}
	t, err := l.target(m, c.ParticipantID)
	if err != nil {
		return r, err
	}
	if t.videoStopped {
		return r, errf(CodeConflict, "camera already stopped")
	}
	t.cameraOff, t.videoStopped = true, true
	r.effect(Effect{Kind: EffectStopVideo, Participant: t.ID, Reason: "moderator"})
	r.emit(EvMediaCameraStopped, only(t.ID), ByModerator{By: m.ID})
	l.updated(&r, t)
	return r, nil
}

// SetMediaState records the actor turning their own microphone or camera
// on or off. Unmuting after a moderator's mute needs their ask first.
func (l *Lesson) SetMediaState(ctx context.Context, actorID string, c MediaState) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	if m.Role == token.RoleObserver {
		return r, errf(CodeForbidden, "observers do not publish")
	}
	if c.Muted == nil && c.CameraOff == nil {
		return r, errf(CodeInvalid, "nothing to change")
	}
	if c.Muted != nil && !*c.Muted && m.muteLocked && !m.unmuteAsked {
		return r, errf(CodeForbidden, "a moderator muted you; wait to be asked to unmute")
	}
	changed := false
	if c.Muted != nil && *c.Muted != m.muted {
		changed = true
		m.muted = *c.Muted
		if !m.muted && m.muteLocked {
			m.muteLocked, m.unmuteAsked = false, false
			r.effect(Effect{Kind: EffectUnmuteAudio, Participant: m.ID})
		}
	}
	if c.CameraOff != nil && *c.CameraOff != m.cameraOff {
		changed = true
		m.cameraOff = *c.CameraOff
		if !m.cameraOff && m.videoStopped {
			m.videoStopped = false
			r.effect(Effect{Kind: EffectResumeVideo, Participant: m.ID})
		}
	}
	if changed {
		l.updated(&r, m)
	}
	return r, nil
}

// Remove removes a participant from the lesson at once (no grace),
// optionally banning their user from rejoining it.
func (l *Lesson) Remove(ctx context.Context, actorID string, c ParticipantRemove) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.moderator(actorID)
	if err != nil {
		return r, err
	}
	t, err := l.target(m, c.ParticipantID)
	if err != nil {
		return r, err
	}
	reason := "removed"
	if c.Ban {
		reason = "banned"
		l.banned[t.UserID] = true
	}
	r.emit(EvParticipantRemoved, only(t.ID), Removed{By: m.ID, Banned: c.Ban})
	conn, connected := t.conn, t.connected
	at := l.now()
	if !connected {
		at = t.droppedAt
	}
	l.finalise(ctx, &r, t, reason, at)
	if connected {
		r.effect(Effect{Kind: EffectDisconnect, Participant: t.ID, Conn: conn, Reason: reason})
	}
	return r, nil
}

// Lock locks or unlocks the lesson against new joins by students and
// observers. Participants within their reconnection grace may still return.
func (l *Lesson) Lock(ctx context.Context, actorID string, c LessonLock) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	if _, err := l.moderator(actorID); err != nil {
		return r, err
	}
	if l.locked == c.Locked {
		return r, nil
	}
	l.locked = c.Locked
	l.settingsEvent(&r)
	return r, nil
}

// End ends the lesson for everyone: open polls close (results go out),
// attendance closes, and the EffectEndLesson effect tells the caller to
// close the media room and every connection. Teacher only.
func (l *Lesson) End(ctx context.Context, actorID string, _ LessonEnd) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.teacher(actorID)
	if err != nil {
		return r, err
	}
	now := l.now()
	for _, id := range l.pollOrder {
		if p := l.polls[id]; !p.Closed {
			l.closePoll(ctx, &r, p, now)
		}
	}
	for _, t := range l.ordered() {
		if t.restored {
			continue // back from a restart but never returned: no interval open
		}
		at := now
		if !t.connected {
			at = t.droppedAt
		}
		l.logStore("attendance", l.cfg.store.PutAttendance(ctx, l.attendance(t, at)))
	}
	l.ended = true
	l.hands, l.stage = nil, nil
	clear(l.invites)
	r.emit(EvLessonEnded, everyone(), Ended{By: m.ID})
	r.effect(Effect{Kind: EffectEndLesson, Reason: "ended"})
	return r, nil
}

// Ended reports whether the lesson has ended.
func (l *Lesson) Ended() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ended
}
