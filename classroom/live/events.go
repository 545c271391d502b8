package live

import (
	"time"

	"github.com/lectern/lectern/token"
)

// AudienceKind says who receives an Event.
type AudienceKind uint8

// The audiences.
const (
	ToEveryone       AudienceKind = iota // every connected participant
	ToModerators                         // teachers and assistants
	ToParticipant                        // Audience.Participant only (even if just removed)
	ToModeratorsAnd                      // moderators plus Audience.Participant
	ToEveryoneExcept                     // everyone but Audience.Participant
)

// Audience is who receives an Event.
type Audience struct {
	Kind        AudienceKind
	Participant string // for ToParticipant, ToModeratorsAnd, ToEveryoneExcept
}

func everyone() Audience                { return Audience{Kind: ToEveryone} }
func moderators() Audience              { return Audience{Kind: ToModerators} }
func only(id string) Audience           { return Audience{Kind: ToParticipant, Participant: id} }
func moderatorsAnd(id string) Audience  { return Audience{Kind: ToModeratorsAnd, Participant: id} }
func everyoneExcept(id string) Audience { return Audience{Kind: ToEveryoneExcept, Participant: id} }

// Includes reports whether the participant with this id and role is in a.
func (a Audience) Includes(id string, role token.Role) bool {
	switch a.Kind {
	case ToEveryone:
		return true
	case ToModerators:
		return role.Moderator()
	case ToParticipant:
		return id == a.Participant
	case ToModeratorsAnd:
		return role.Moderator() || id == a.Participant
	case ToEveryoneExcept:
		return id != a.Participant
	}
	return false
}

// Event is something that happened, to be sent to its audience as
// {"type": Type, "payload": <payload>}.
type Event struct {
	Type string
	To   Audience
	// Payload is what recipients get: a JSON-serialisable struct.
	Payload any
	// ModeratorPayload, when not nil, is what teachers and assistants get
	// instead of Payload (an anonymous question's author, a quiz's answer).
	ModeratorPayload any
}

// For returns the payload the participant with this id and role receives,
// and false if the event is not for them.
func (e Event) For(id string, role token.Role) (any, bool) {
	if !e.To.Includes(id, role) {
		return nil, false
	}
	if e.ModeratorPayload != nil && role.Moderator() {
		return e.ModeratorPayload, true
	}
	return e.Payload, true
}

// Recipient is a connected participant as routing sees it.
type Recipient struct {
	ID   string
	Role token.Role
}

// Delivery is one payload of one event and the participants it goes to:
// marshal Payload once and write it to each of To.
type Delivery struct {
	Type    string
	Payload any
	To      []string
}

// Route resolves events against a list of recipients. An event with a
// moderator variant yields up to two deliveries. ToParticipant events go to
// their participant whether or not it is in rs, so that a removed
// participant still hears why.
func Route(events []Event, rs []Recipient) []Delivery {
	out := make([]Delivery, 0, len(events))
	for _, e := range events {
		if e.To.Kind == ToParticipant {
			p := e.Payload
			for _, r := range rs {
				if r.ID == e.To.Participant {
					p, _ = e.For(r.ID, r.Role)
					break
				}
			}
			out = append(out, Delivery{Type: e.Type, Payload: p, To: []string{e.To.Participant}})
			continue
		}
		var plain, mod []string
		split := e.ModeratorPayload != nil
		if e.To.Kind == ToEveryone || e.To.Kind == ToEveryoneExcept {
			plain = make([]string, 0, len(rs))
		}
		for _, r := range rs {
			if !e.To.Includes(r.ID, r.Role) {
				continue
			}
			if split && r.Role.Moderator() {
				mod = append(mod, r.ID)
			} else {
				plain = append(plain, r.ID)
			}
		}
		if len(plain) > 0 {
			out = append(out, Delivery{Type: e.Type, Payload: e.Payload, To: plain})
		}
		if len(mod) > 0 {
			out = append(out, Delivery{Type: e.Type, Payload: e.ModeratorPayload, To: mod})
		}
	}
	return out
}

// Route resolves events against the participants connected now.
func (l *Lesson) Route(events []Event) []Delivery {
	return Route(events, l.Recipients())
}

// Deliver calls send once per (recipient, event) pair, in event order, with
// the payload variant that recipient gets. It holds no lock while calling
// send.
func (l *Lesson) Deliver(events []Event, send func(participantID string, e Event, payload any)) {
	rs := l.Recipients()
	for _, e := range events {
		if e.To.Kind == ToParticipant {
			role := token.RoleObserver
			for _, r := range rs {
				if r.ID == e.To.Participant {
					role = r.Role
					break
				}
			}
			p, _ := e.For(e.To.Participant, role)
			send(e.To.Participant, e, p)
			continue
		}
		for _, r := range rs {
			if p, ok := e.For(r.ID, r.Role); ok {
				send(r.ID, e, p)
			}
		}
	}
}

// Recipients returns the connected participants. The slice is shared and
// must not be modified; it is replaced, never mutated, when the room changes.
func (l *Lesson) Recipients() []Recipient {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.roster == nil {
		rs := make([]Recipient, 0, len(l.members))
		for _, m := range l.ordered() {
			if m.connected {
				rs = append(rs, Recipient{ID: m.ID, Role: m.Role})
			}
		}
		l.roster = rs
	}
	return l.roster
}

// EffectKind is a media-affecting outcome the signalling layer must enforce
// at the SFU.
type EffectKind string

// The effects.
const (
	// EffectGrantPublish: allow Participant to publish Sources (camera and
	// microphone for a student brought on stage) and forward them to everyone.
	EffectGrantPublish EffectKind = "grant_publish"
	// EffectRevokePublish: revoke Participant's stage publish permission and
	// stop forwarding all of their tracks at once.
	EffectRevokePublish EffectKind = "revoke_publish"
	// EffectMuteAudio: stop forwarding Participant's audio.
	EffectMuteAudio EffectKind = "mute_audio"
	// EffectUnmuteAudio: forward Participant's audio again.
	EffectUnmuteAudio EffectKind = "unmute_audio"
	// EffectStopVideo: stop forwarding Participant's camera.
	EffectStopVideo EffectKind = "stop_video"
	// EffectResumeVideo: forward Participant's camera again.
	EffectResumeVideo EffectKind = "resume_video"
	// EffectDisconnect: close connection Conn of Participant (removed,
	// banned, or replaced by a newer connection of the same user).
	EffectDisconnect EffectKind = "disconnect"
	// EffectEndLesson: the lesson is over; close the media room and every
	// connection after delivering the events.
	EffectEndLesson EffectKind = "end_lesson"
)

// Source is a kind of media a participant publishes.
type Source string

// The sources.
const (
	SourceCamera     Source = "camera"
	SourceMicrophone Source = "microphone"
	SourceScreen     Source = "screen"
)

// Effect is one media-affecting outcome of a command.
type Effect struct {
	Kind        EffectKind
	Participant string   // "" for EffectEndLesson
	Conn        string   // the connection, for EffectDisconnect
	Sources     []Source // for EffectGrantPublish
	Reason      string   // "removed", "banned", "replaced", "stage", ...
}

// Result is what a command produced. Deliver Events (see Route), then
// apply Effects. Both are empty for a no-op.
type Result struct {
	Events  []Event
	Effects []Effect
}

func (r *Result) emit(typ string, to Audience, payload any) {
	r.Events = append(r.Events, Event{Type: typ, To: to, Payload: payload})
}

func (r *Result) emit2(typ string, to Audience, payload, modPayload any) {
	r.Events = append(r.Events, Event{Type: typ, To: to, Payload: payload, ModeratorPayload: modPayload})
}

func (r *Result) effect(e Effect) { r.Effects = append(r.Effects, e) }

func (r *Result) merge(o Result) {
	r.Events = append(r.Events, o.Events...)
	r.Effects = append(r.Effects, o.Effects...)
}

// Event types sent to clients.
const (
	EvParticipantJoined  = "participant.joined"
	EvParticipantUpdated = "participant.updated"
	EvParticipantLeft    = "participant.left"
	EvParticipantRemoved = "participant.removed"
	// EvParticipantSpeaking is the small delta of a speaking change
	// (SpeakingChanged), in place of a whole participant.updated.
	EvParticipantSpeaking = "participant.speaking"
	// EvParticipantQuality is the small delta of a connection quality
	// change (QualityChanged), to the moderators and the participant.
	EvParticipantQuality = "participant.quality"

	EvHandRaised  = "hand.raised"
	EvHandLowered = "hand.lowered"
	EvHandsQueue  = "hands.queue"

	EvStageInvited  = "stage.invited"
	EvStageDeclined = "stage.declined"
	EvStageJoined   = "stage.joined"
	EvStageLeft     = "stage.left"

	EvMediaMuted           = "media.muted"
	EvMediaUnmuteRequested = "media.unmuteRequested"
	EvMediaCameraStopped   = "media.cameraStopped"

	EvLessonUpdated = "lesson.updated"
	EvLessonEnded   = "lesson.ended"

	EvChatMessage     = "chat.message"
	EvChatDeleted     = "chat.deleted"
	EvChatHistory     = "chat.history"
	EvChatMuteChanged = "chat.muteChanged"

	EvQuestionAsked   = "question.asked"
	EvQuestionVoted   = "question.voted"
	EvQuestionUpdated = "question.updated"

	EvPollOpened       = "poll.opened"
	EvPollVoteAccepted = "poll.voteAccepted"
	EvPollCounts       = "poll.counts"
	EvPollResults      = "poll.results"
)

// ms is a time on the wire: Unix milliseconds, 0 for none.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
