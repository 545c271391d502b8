package live

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/lectern/lectern/token"
)

// RoomState is the moderation state of a lesson that outlives the
// process: room settings, bans, the participants who hold a place (hand,
// stage) or a moderator's mute, the hands queue and the stage. A Lesson
// writes it to its Store whenever it changes and Restore reads it back.
// Stores keep it as one opaque value per lesson (its JSON form).
type RoomState struct {
	Locked      bool          `json:"locked"`
	ChatEnabled bool          `json:"chatEnabled"`
	SlowMode    time.Duration `json:"slowMode"`
	StageLimit  int           `json:"stageLimit"`
	Banned      []string      `json:"banned,omitempty"`  // user ids, sorted
	Members     []MemberState `json:"members,omitempty"` // in join order
	Hands       []HandState   `json:"hands,omitempty"`   // queue order
	Stage       []string      `json:"stage,omitempty"`   // participant ids, in order of arrival
	Slides      *SlideState   `json:"slides,omitempty"`  // the deck on screen
}

// MemberState is one participant kept across a restart: someone with a
// raised hand, a stage place or a moderator's mute. After a restart they
// are back as "reconnecting" for the reconnection grace, and their user
// resumes them (same participant id, hand, stage place, mutes) by joining.
type MemberState struct {
	ParticipantID string     `json:"participantId"`
	UserID        string     `json:"userId"`
	Name          string     `json:"name"`
	Role          token.Role `json:"role"`
	MicMuted      bool       `json:"micMuted,omitempty"`      // muted by a moderator
	CameraStopped bool       `json:"cameraStopped,omitempty"` // stopped by a moderator
	ChatMuted     bool       `json:"chatMuted,omitempty"`
}

// HandState is one raised hand.
type HandState struct {
	ParticipantID string    `json:"participantId"`
	RaisedAt      time.Time `json:"raisedAt"`
}

// roomState returns the lesson's RoomState. Callers hold l.mu.
func (l *Lesson) roomState() RoomState {
	s := RoomState{Locked: l.locked, ChatEnabled: l.chatEnabled, SlowMode: l.slowMode, StageLimit: l.stageLimit}
	for u := range l.banned {
		s.Banned = append(s.Banned, u)
	}
	slices.Sort(s.Banned)
	for _, m := range l.ordered() {
		if l.handIndex(m.ID) >= 0 || m.onStage || m.muteLocked || m.videoStopped || m.chatMuted {
			s.Members = append(s.Members, MemberState{ParticipantID: m.ID, UserID: m.UserID, Name: m.Name, Role: m.Role,
				MicMuted: m.muteLocked, CameraStopped: m.videoStopped, ChatMuted: m.chatMuted})
		}
	}
	for _, h := range l.hands {
		s.Hands = append(s.Hands, HandState{ParticipantID: h.id, RaisedAt: h.at.UTC()})
	}
	s.Stage = append(s.Stage, l.stage...)
	s.Slides = l.slidesInfo()
	return s
}

// saveRoom writes the RoomState to the store if it changed since the last
// write. Callers hold l.mu. A failed write is logged and retried at the
// next change (the lesson carries on from memory).
func (l *Lesson) saveRoom(ctx context.Context) {
	if l.ended {
		return
	}
	s := l.roomState()
	b, _ := json.Marshal(s) // plain data: cannot fail
	if bytes.Equal(b, l.roomSaved) {
		return
	}
	if err := l.cfg.store.PutRoomState(ctx, l.id, s); err != nil {
		l.logStore("room state put", err)
		return
	}
	l.roomSaved = b
}

// SaveRoom writes the moderation state to the store if it changed. Every
// command through Dispatch, Tick and Depart already do; call it after
// changing the lesson another way.
func (l *Lesson) SaveRoom(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.saveRoom(ctx)
}

// restoreRoom applies a stored RoomState to a lesson nobody has joined
// yet. Participants come back as dropped at now, so they have the
// reconnection grace to return. Callers hold l.mu.
func (l *Lesson) restoreRoom(s RoomState, now time.Time) {
	l.locked, l.chatEnabled, l.slowMode = s.Locked, s.ChatEnabled, s.SlowMode
	if s.SlowMode < 0 || s.SlowMode > MaxSlowModeSecs*time.Second {
		l.slowMode = 0
	}
	if s.StageLimit >= 0 && s.StageLimit <= MaxStageLimit {
		l.stageLimit = s.StageLimit
	}
	for _, u := range s.Banned {
		l.banned[u] = true
	}
	for _, ms := range s.Members {
		if ms.ParticipantID == "" || ms.UserID == "" || !ms.Role.Valid() || l.banned[ms.UserID] {
			continue
		}
		if _, dup := l.members[ms.ParticipantID]; dup {
			continue
		}
		if _, dup := l.byUser[ms.UserID]; dup {
			continue
		}
		l.seq++
		m := &member{ID: ms.ParticipantID, UserID: ms.UserID, Name: ms.Name, Role: ms.Role,
			seq: l.seq, droppedAt: now, restored: true,
			muteLocked: ms.MicMuted, muted: ms.MicMuted, videoStopped: ms.CameraStopped, cameraOff: ms.CameraStopped,
			chatMuted: ms.ChatMuted}
		l.members[m.ID] = m
		l.byUser[m.UserID] = m.ID
	}
	for _, h := range s.Hands {
		if m := l.members[h.ParticipantID]; m != nil && m.Role == token.RoleStudent && l.handIndex(m.ID) < 0 {
			l.hands = append(l.hands, handEntry{id: m.ID, at: h.RaisedAt})
		}
	}
	for _, id := range s.Stage {
		if m := l.members[id]; m != nil && !m.onStage {
			m.onStage = true
			l.removeHand(m.ID) // a hand lowers itself on stage
			l.stage = append(l.stage, m.ID)
		}
	}
	l.restoreSlides(s.Slides)
	l.roster = nil
	l.roomSaved, _ = json.Marshal(l.roomState())
}
