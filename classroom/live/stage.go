package live

import (
	"context"
	"sort"

	"github.com/lectern/lectern/token"
)

// StageInvite is the payload of stage.invite.
type StageInvite struct {
	ParticipantID string `json:"participantId"`
}

// StageAccept is the payload of stage.accept.
type StageAccept struct{}

// StageDecline is the payload of stage.decline.
type StageDecline struct{}

// StageLeave is the payload of stage.leave.
type StageLeave struct{}

// StageRemove is the payload of stage.remove. It also cancels a pending
// invite.
type StageRemove struct {
	ParticipantID string `json:"participantId"`
}

// StageRemoveAll is the payload of stage.removeAll.
type StageRemoveAll struct{}

// StageSetLimit is the payload of stage.setLimit.
type StageSetLimit struct {
	Limit int `json:"limit"`
}

// StageInvited is the payload of stage.invited, sent to the invitee and the
// moderators.
type StageInvited struct {
	ParticipantID string `json:"participantId"`
	By            string `json:"by"`
	ExpiresAt     int64  `json:"expiresAt"` // Unix ms
}

// StageDeclined is the payload of stage.declined: the invite is gone.
type StageDeclined struct {
	ParticipantID string `json:"participantId"`
	Reason        string `json:"reason"` // "declined", "expired", "cancelled"
}

// StageJoined is the payload of stage.joined.
type StageJoined struct {
	ParticipantID string `json:"participantId"`
}

// StageLeft is the payload of stage.left.
type StageLeft struct {
	ParticipantID string `json:"participantId"`
	By            string `json:"by,omitempty"` // moderator who removed them; "" if they left
	Reason        string `json:"reason"`       // "left", "removed", "removedAll", "ended"
}

func stageSources() []Source { return []Source{SourceCamera, SourceMicrophone} }

func (l *Lesson) inviteIDs() []string {
	ids := make([]string, 0, len(l.invites))
	for id := range l.invites {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (l *Lesson) dropInvite(r *Result, id, reason string) {
	delete(l.invites, id)
	r.emit(EvStageDeclined, moderatorsAnd(id), StageDeclined{ParticipantID: id, Reason: reason})
}

// takeOffStage revokes m's stage place and emits the events and effect.
func (l *Lesson) takeOffStage(r *Result, m *member, by, reason string) {
	for i, id := range l.stage {
		if id == m.ID {
			l.stage = append(l.stage[:i], l.stage[i+1:]...)
			break
		}
	}
	m.onStage = false
	m.muteLocked, m.unmuteAsked, m.videoStopped = false, false, false
	r.effect(Effect{Kind: EffectRevokePublish, Participant: m.ID, Reason: reason})
	r.emit(EvStageLeft, everyone(), StageLeft{ParticipantID: m.ID, By: by, Reason: reason})
	if _, present := l.members[m.ID]; present {
		l.updated(r, m)
	}
}

// InviteToStage invites a student, from the hands queue or anywhere, to
// come on stage. Pending invites count against the stage limit.
func (l *Lesson) InviteToStage(ctx context.Context, actorID string, c StageInvite) (Result, error) {
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
	_, invited := l.invites[t.ID]
	switch {
	case t.Role != token.RoleStudent:
		return r, errf(CodeInvalid, "only students can be invited on stage")
	case t.onStage:
		return r, errf(CodeConflict, "already on stage")
	case invited:
		return r, errf(CodeConflict, "already invited")
	case !t.connected:
		return r, errf(CodeConflict, "participant is reconnecting")
	case t.remote:
		return r, errf(CodeInvalid, "this student is served by another node of a big lesson and cannot go on stage")
	case len(l.stage)+len(l.invites) >= l.stageLimit:
		return r, errf(CodeStageFull, "the stage is full (%d)", l.stageLimit)
	}
	deadline := l.now().Add(l.cfg.inviteTimeout)
	l.invites[t.ID] = deadline
	r.emit(EvStageInvited, moderatorsAnd(t.ID), StageInvited{ParticipantID: t.ID, By: m.ID, ExpiresAt: ms(deadline)})
	return r, nil
}

// AcceptStage brings the invited student on stage: their hand lowers, and
// the effect grants them camera and microphone.
func (l *Lesson) AcceptStage(ctx context.Context, actorID string, _ StageAccept) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	deadline, ok := l.invites[m.ID]
	if !ok {
		return r, errf(CodeNotFound, "no pending stage invite")
	}
	if !l.now().Before(deadline) {
		l.dropInvite(&r, m.ID, "expired")
		return r, errf(CodeConflict, "the invite has expired")
	}
	if len(l.stage) >= l.stageLimit {
		l.dropInvite(&r, m.ID, "cancelled")
		return r, errf(CodeStageFull, "the stage is full (%d)", l.stageLimit)
	}
	delete(l.invites, m.ID)
	l.lowerHand(&r, m.ID, m.ID, "stage")
	l.stage = append(l.stage, m.ID)
	m.onStage = true
	m.muted, m.muteLocked, m.unmuteAsked = false, false, false
	m.cameraOff, m.videoStopped = false, false
	r.effect(Effect{Kind: EffectGrantPublish, Participant: m.ID, Sources: stageSources(), Reason: "stage"})
	r.emit(EvStageJoined, everyone(), StageJoined{ParticipantID: m.ID})
	l.updated(&r, m)
	return r, nil
}

// DeclineStage turns down a pending invite.
func (l *Lesson) DeclineStage(ctx context.Context, actorID string, _ StageDecline) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	if _, ok := l.invites[m.ID]; !ok {
		return r, errf(CodeNotFound, "no pending stage invite")
	}
	l.dropInvite(&r, m.ID, "declined")
	return r, nil
}

// LeaveStage takes the actor off stage.
func (l *Lesson) LeaveStage(ctx context.Context, actorID string, _ StageLeave) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	if !m.onStage {
		return r, errf(CodeConflict, "you are not on stage")
	}
	l.takeOffStage(&r, m, "", "left")
	return r, nil
}

// RemoveFromStage takes a student off stage (revoking publish at once), or
// cancels their pending invite.
func (l *Lesson) RemoveFromStage(ctx context.Context, actorID string, c StageRemove) (Result, error) {
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
	switch _, invited := l.invites[t.ID]; {
	case t.onStage:
		l.takeOffStage(&r, t, m.ID, "removed")
	case invited:
		l.dropInvite(&r, t.ID, "cancelled")
	default:
		return r, errf(CodeConflict, "not on stage")
	}
	return r, nil
}

// ClearStage takes everyone off stage and cancels pending invites.
func (l *Lesson) ClearStage(ctx context.Context, actorID string, _ StageRemoveAll) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.moderator(actorID)
	if err != nil {
		return r, err
	}
	for _, id := range append([]string(nil), l.stage...) {
		l.takeOffStage(&r, l.members[id], m.ID, "removedAll")
	}
	for _, id := range l.inviteIDs() {
		l.dropInvite(&r, id, "cancelled")
	}
	return r, nil
}

// SetStageLimit changes how many students may be on stage. Lowering it
// below the current count removes no one; it only stops new invites.
func (l *Lesson) SetStageLimit(ctx context.Context, actorID string, c StageSetLimit) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	if _, err := l.moderator(actorID); err != nil {
		return r, err
	}
	if c.Limit < 0 || c.Limit > MaxStageLimit {
		return r, errf(CodeInvalid, "limit must be 0 to %d", MaxStageLimit)
	}
	l.stageLimit = c.Limit
	l.settingsEvent(&r)
	return r, nil
}

// Stage returns the ids of the students on stage, in order of arrival.
func (l *Lesson) Stage() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.stage...)
}
