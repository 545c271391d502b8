package live

import (
	"context"
	"time"

	"github.com/lectern/lectern/token"
)

type handEntry struct {
	id string
	at time.Time
}

// HandRaise is the payload of hand.raise.
type HandRaise struct{}

// HandLower is the payload of hand.lower. Empty ParticipantID (or one's
// own) lowers one's own hand; a moderator may name another participant.
type HandLower struct {
	ParticipantID string `json:"participantId,omitempty"`
}

// HandLowerAll is the payload of hand.lowerAll.
type HandLowerAll struct{}

// HandInfo is one entry of the hands queue.
type HandInfo struct {
	ParticipantID string `json:"participantId"`
	Name          string `json:"name"`
	Position      int    `json:"position"` // 1-based
	RaisedAt      int64  `json:"raisedAt"` // Unix ms
}

// HandsQueue is the payload of hands.queue, sent to moderators whenever the
// queue changes.
type HandsQueue struct {
	Queue []HandInfo `json:"queue"`
}

// HandRaised is the payload of hand.raised.
type HandRaised struct {
	ParticipantID string `json:"participantId"`
	RaisedAt      int64  `json:"raisedAt"`
}

// HandLowered is the payload of hand.lowered.
type HandLowered struct {
	ParticipantID string `json:"participantId"`
	By            string `json:"by"`     // who lowered it
	Reason        string `json:"reason"` // "lowered", "stage", "all"
}

func (l *Lesson) handIndex(id string) int {
	for i, h := range l.hands {
		if h.id == id {
			return i
		}
	}
	return -1
}

func (l *Lesson) removeHand(id string) {
	if i := l.handIndex(id); i >= 0 {
		l.hands = append(l.hands[:i], l.hands[i+1:]...)
	}
}

func (l *Lesson) queue() []HandInfo {
	out := make([]HandInfo, 0, len(l.hands))
	for i, h := range l.hands {
		name := ""
		if m := l.members[h.id]; m != nil {
			name = m.Name
		}
		out = append(out, HandInfo{ParticipantID: h.id, Name: name, Position: i + 1, RaisedAt: ms(h.at)})
	}
	return out
}

func (l *Lesson) queueEvent(r *Result) {
	r.emit(EvHandsQueue, moderators(), HandsQueue{Queue: l.queue()})
}

// lowerHand lowers id's hand if raised and emits the events.
func (l *Lesson) lowerHand(r *Result, id, by, reason string) bool {
	if l.handIndex(id) < 0 {
		return false
	}
	l.removeHand(id)
	r.emit(EvHandLowered, everyone(), HandLowered{ParticipantID: id, By: by, Reason: reason})
	l.queueEvent(r)
	return true
}

// RaiseHand puts a student's hand up, at the end of the queue.
func (l *Lesson) RaiseHand(ctx context.Context, actorID string, _ HandRaise) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	switch {
	case m.Role != token.RoleStudent:
		return r, errf(CodeForbidden, "only students raise hands")
	case m.onStage:
		return r, errf(CodeConflict, "you are on stage")
	case l.handIndex(m.ID) >= 0:
		return r, errf(CodeConflict, "your hand is already raised")
	}
	now := l.now()
	l.hands = append(l.hands, handEntry{id: m.ID, at: now})
	r.emit(EvHandRaised, everyone(), HandRaised{ParticipantID: m.ID, RaisedAt: ms(now)})
	l.queueEvent(&r)
	return r, nil
}

// LowerHand lowers the actor's own hand, or (for a moderator) another's.
func (l *Lesson) LowerHand(ctx context.Context, actorID string, c HandLower) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	id := c.ParticipantID
	if id == "" || id == m.ID {
		id = m.ID
	} else {
		if !m.Role.Moderator() {
			return r, errf(CodeForbidden, "only the teacher or an assistant may lower another's hand")
		}
		if l.members[id] == nil {
			return r, errf(CodeNotFound, "no such participant")
		}
	}
	if !l.lowerHand(&r, id, m.ID, "lowered") {
		return r, errf(CodeConflict, "hand is not raised")
	}
	return r, nil
}

// LowerAllHands lowers every raised hand.
func (l *Lesson) LowerAllHands(ctx context.Context, actorID string, _ HandLowerAll) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.moderator(actorID)
	if err != nil {
		return r, err
	}
	if len(l.hands) == 0 {
		return r, nil
	}
	for _, h := range l.hands {
		r.emit(EvHandLowered, everyone(), HandLowered{ParticipantID: h.id, By: m.ID, Reason: "all"})
	}
	l.hands = nil
	l.queueEvent(&r)
	return r, nil
}
