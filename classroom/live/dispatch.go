package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
)

// MaxPayloadBytes is the largest command payload Dispatch decodes. A 2,000
// character message fits with room to spare; anything larger is refused
// with CodeTooLong before it is parsed.
const MaxPayloadBytes = 32 << 10

// Client message types, as Dispatch routes them.
const (
	MsgHandRaise    = "hand.raise"
	MsgHandLower    = "hand.lower"
	MsgHandLowerAll = "hand.lowerAll"

	MsgStageInvite    = "stage.invite"
	MsgStageAccept    = "stage.accept"
	MsgStageDecline   = "stage.decline"
	MsgStageLeave     = "stage.leave"
	MsgStageRemove    = "stage.remove"
	MsgStageRemoveAll = "stage.removeAll"
	MsgStageSetLimit  = "stage.setLimit"

	MsgMediaState            = "media.state"
	MsgParticipantMute       = "participant.mute"
	MsgParticipantAskUnmute  = "participant.askUnmute"
	MsgParticipantStopCamera = "participant.stopCamera"
	MsgParticipantRemove     = "participant.remove"
	MsgLessonLock            = "lesson.lock"
	MsgLessonEnd             = "lesson.end"

	MsgChatSend    = "chat.send"
	MsgChatDelete  = "chat.delete"
	MsgChatHistory = "chat.history"
	MsgChatEnable  = "chat.enable"
	MsgChatSlow    = "chat.slow"
	MsgChatMute    = "chat.mute"

	MsgQuestionAsk     = "question.ask"
	MsgQuestionUpvote  = "question.upvote"
	MsgQuestionAnswer  = "question.answer"
	MsgQuestionDismiss = "question.dismiss"

	MsgPollCreate     = "poll.create"
	MsgPollVote       = "poll.vote"
	MsgPollChangeVote = "poll.changeVote"
	MsgPollClose      = "poll.close"
)

type handler func(l *Lesson, ctx context.Context, actor string, raw json.RawMessage) (Result, error)

func route[T any](f func(*Lesson, context.Context, string, T) (Result, error)) handler {
	return func(l *Lesson, ctx context.Context, actor string, raw json.RawMessage) (Result, error) {
		var c T
		if err := decode(raw, &c); err != nil {
			return Result{}, err
		}
		return f(l, ctx, actor, c)
	}
}

var handlers = map[string]handler{
	MsgHandRaise:    route((*Lesson).RaiseHand),
	MsgHandLower:    route((*Lesson).LowerHand),
	MsgHandLowerAll: route((*Lesson).LowerAllHands),

	MsgStageInvite:    route((*Lesson).InviteToStage),
	MsgStageAccept:    route((*Lesson).AcceptStage),
	MsgStageDecline:   route((*Lesson).DeclineStage),
	MsgStageLeave:     route((*Lesson).LeaveStage),
	MsgStageRemove:    route((*Lesson).RemoveFromStage),
	MsgStageRemoveAll: route((*Lesson).ClearStage),
	MsgStageSetLimit:  route((*Lesson).SetStageLimit),

	MsgMediaState:            route((*Lesson).SetMediaState),
	MsgParticipantMute:       route((*Lesson).Mute),
	MsgParticipantAskUnmute:  route((*Lesson).AskUnmute),
	MsgParticipantStopCamera: route((*Lesson).StopCamera),
	MsgParticipantRemove:     route((*Lesson).Remove),
	MsgLessonLock:            route((*Lesson).Lock),
	MsgLessonEnd:             route((*Lesson).End),

	MsgChatSend:    route((*Lesson).SendChat),
	MsgChatDelete:  route((*Lesson).DeleteChat),
	MsgChatHistory: route((*Lesson).ChatHistory),
	MsgChatEnable:  route((*Lesson).SetChatEnabled),
	MsgChatSlow:    route((*Lesson).SetSlowMode),
	MsgChatMute:    route((*Lesson).MuteChat),

	MsgQuestionAsk:     route((*Lesson).AskQuestion),
	MsgQuestionUpvote:  route((*Lesson).UpvoteQuestion),
	MsgQuestionAnswer:  route((*Lesson).AnswerQuestion),
	MsgQuestionDismiss: route((*Lesson).DismissQuestion),

	MsgPollCreate:     route((*Lesson).CreatePoll),
	MsgPollVote:       route((*Lesson).Vote),
	MsgPollChangeVote: route((*Lesson).ChangeVote),
	MsgPollClose:      route((*Lesson).ClosePoll),

	MsgSlidesOpen:    route((*Lesson).OpenSlides),
	MsgSlidesPage:    route((*Lesson).TurnSlide),
	MsgSlidesPointer: route((*Lesson).PointSlide),
	MsgSlidesClose:   route((*Lesson).CloseSlides),
}

// MessageTypes returns the client message types Dispatch knows, sorted.
func MessageTypes() []string {
	ts := make([]string, 0, len(handlers))
	for t := range handlers {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

// Dispatch decodes payload as the command msgType names and runs it as
// participantID. Unknown types are refused with CodeUnknownType, payloads
// over MaxPayloadBytes with CodeTooLong, malformed JSON or unknown fields
// with CodeInvalid. An empty or null payload is an empty command.
func (l *Lesson) Dispatch(ctx context.Context, participantID, msgType string, payload json.RawMessage) (Result, error) {
	h, ok := handlers[msgType]
	if !ok {
		return Result{}, errf(CodeUnknownType, "unknown message type %q", truncate(msgType, 64))
	}
	res, err := h(l, ctx, participantID, payload)
	if err == nil && roomCommands[msgType] {
		l.SaveRoom(ctx)
	}
	return res, err
}

// roomCommands are the commands that may change the RoomState; after each
// one that succeeds the state is written to the store if it changed.
var roomCommands = map[string]bool{
	MsgHandRaise: true, MsgHandLower: true, MsgHandLowerAll: true,
	MsgStageInvite: true, MsgStageAccept: true, MsgStageDecline: true, MsgStageLeave: true,
	MsgStageRemove: true, MsgStageRemoveAll: true, MsgStageSetLimit: true,
	MsgMediaState: true, MsgParticipantMute: true, MsgParticipantStopCamera: true, MsgParticipantRemove: true,
	MsgLessonLock: true, MsgChatEnable: true, MsgChatSlow: true, MsgChatMute: true,
	MsgSlidesOpen: true, MsgSlidesPage: true, MsgSlidesClose: true,
}

func decode(raw json.RawMessage, v any) error {
	if len(raw) > MaxPayloadBytes {
		return errf(CodeTooLong, "payload is %d bytes; the limit is %d", len(raw), MaxPayloadBytes)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errf(CodeInvalid, "malformed payload: %s", truncate(err.Error(), 200))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errf(CodeInvalid, "malformed payload: trailing data")
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
