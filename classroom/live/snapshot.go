package live

import "context"

// Snapshot is the room as one participant sees it on (re)joining.
type Snapshot struct {
	Lesson       Settings          `json:"lesson"`
	You          ParticipantInfo   `json:"you"`
	Self         SelfState         `json:"self"`
	Participants []ParticipantInfo `json:"participants"`
	Stage        []string          `json:"stage"`
	Hands        []HandInfo        `json:"hands,omitempty"`   // moderators only
	Invites      []StageInvited    `json:"invites,omitempty"` // moderators only
	Chat         ChatHistory       `json:"chat"`              // the last 200 messages they may see
	Questions    []QuestionInfo    `json:"questions"`         // open and answered ones, by votes
	Polls        []PollInfo        `json:"polls"`             // open ones
	Slides       *SlideState       `json:"slides"`            // the deck on screen, null for none
}

// SelfState is what only the participant themselves sees about themselves.
type SelfState struct {
	HandPosition     int           `json:"handPosition,omitempty"` // 1-based; 0: hand down
	Invite           *StageInvited `json:"invite,omitempty"`
	ChatMuted        bool          `json:"chatMuted,omitempty"`
	MutedByModerator bool          `json:"mutedByModerator,omitempty"`
	UnmuteRequested  bool          `json:"unmuteRequested,omitempty"`
}

// Snapshot returns the room as participant id sees it.
func (l *Lesson) Snapshot(ctx context.Context, participantID string) (Snapshot, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.members[participantID]
	if m == nil {
		return Snapshot{}, errf(CodeNotFound, "not in this lesson")
	}
	return l.snapshot(ctx, m)
}

func (l *Lesson) snapshot(ctx context.Context, m *member) (Snapshot, error) {
	s := Snapshot{
		Lesson:       l.settings(),
		You:          l.info(m),
		Participants: l.participantsFor(m),
		Stage:        append([]string{}, l.stage...),
		Questions:    l.questionsFor(m, false),
		Polls:        l.pollsFor(m),
		Slides:       l.slidesInfo(),
		Self: SelfState{
			HandPosition:     l.handIndex(m.ID) + 1,
			ChatMuted:        m.chatMuted,
			MutedByModerator: m.muteLocked,
			UnmuteRequested:  m.unmuteAsked,
		},
	}
	s.You.Quality = m.quality
	if s.Polls == nil {
		s.Polls = []PollInfo{}
	}
	if d, ok := l.invites[m.ID]; ok {
		s.Self.Invite = &StageInvited{ParticipantID: m.ID, ExpiresAt: ms(d)}
	}
	if m.Role.Moderator() {
		s.Hands = l.queue()
		for _, id := range l.inviteIDs() {
			s.Invites = append(s.Invites, StageInvited{ParticipantID: id, ExpiresAt: ms(l.invites[id])})
		}
	}
	var err error
	s.Chat, err = l.history(ctx, m, 0, HistoryOnJoin)
	if s.Chat.Messages == nil {
		s.Chat.Messages = []ChatInfo{}
	}
	return s, err
}
