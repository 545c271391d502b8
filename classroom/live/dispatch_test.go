package live

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lectern/lectern/token"
)

// matrixLesson builds the room every authorisation case starts from:
// teacher t, assistant a, student s (invited to stage), observer o, student
// st on stage (voted in poll id3), student x (hand up, asked question id1,
// wrote chat message 1), student y (muted by the teacher); polls id2 (no
// votes) and id3 open; the teacher presents deck "deck" (testDecks).
func matrixLesson(t *testing.T) *Lesson {
	t.Helper()
	l, _ := newTestLesson(t, WithDecks(testDecks{}))
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "a", token.RoleAssistant)
	join(t, l, "s", token.RoleStudent)
	join(t, l, "o", token.RoleObserver)
	join(t, l, "st", token.RoleStudent)
	join(t, l, "x", token.RoleStudent)
	join(t, l, "y", token.RoleStudent)
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "st"}))
	ok(t)(l.AcceptStage(ctx, "st", StageAccept{}))
	ok(t)(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
	ok(t)(l.RaiseHand(ctx, "x", HandRaise{}))
	ok(t)(l.AskQuestion(ctx, "x", QuestionAsk{Text: "why?"}))
	ok(t)(l.SendChat(ctx, "x", ChatSend{Text: "hello"}))
	ok(t)(l.Mute(ctx, "t", ParticipantMute{ParticipantID: "y"}))
	two := []string{"a", "b"}
	ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "p2", Kind: PollSingle, Options: two}))
	ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "p3", Kind: PollSingle, Options: two}))
	ok(t)(l.Vote(ctx, "s", PollVote{PollID: "id3", Choices: []int{0}}))
	ok(t)(l.Vote(ctx, "st", PollVote{PollID: "id3", Choices: []int{0}}))
	ok(t)(l.OpenSlides(ctx, "t", SlidesOpen{MaterialID: "deck"}))
	return l
}

// TestAuthorisationMatrix runs every command as every role and checks the
// exact outcome.
func TestAuthorisationMatrix(t *testing.T) {
	const (
		OK = ""
		F  = CodeForbidden
		NF = CodeNotFound
		C  = CodeConflict
		I  = CodeInvalid
	)
	actors := []string{"t", "a", "s", "o", "st"} // teacher, assistant, student, observer, student on stage
	tests := []struct {
		typ     string
		payload string
		want    [5]string
	}{
		{MsgHandRaise, `{}`, [5]string{F, F, OK, F, C}},
		{MsgHandLower, `{"participantId":"x"}`, [5]string{OK, OK, F, F, F}},
		{MsgHandLowerAll, ``, [5]string{OK, OK, F, F, F}},
		{MsgStageInvite, `{"participantId":"x"}`, [5]string{OK, OK, F, F, F}},
		{MsgStageAccept, `{}`, [5]string{NF, NF, OK, NF, NF}},
		{MsgStageDecline, `{}`, [5]string{NF, NF, OK, NF, NF}},
		{MsgStageLeave, `{}`, [5]string{C, C, C, C, OK}},
		{MsgStageRemove, `{"participantId":"st"}`, [5]string{OK, OK, F, F, F}},
		{MsgStageRemoveAll, `{}`, [5]string{OK, OK, F, F, F}},
		{MsgStageSetLimit, `{"limit":4}`, [5]string{OK, OK, F, F, F}},
		{MsgMediaState, `{"muted":true}`, [5]string{OK, OK, OK, F, OK}},
		{MsgParticipantMute, `{"participantId":"x"}`, [5]string{OK, OK, F, F, F}},
		{MsgParticipantAskUnmute, `{"participantId":"y"}`, [5]string{OK, OK, F, F, F}},
		{MsgParticipantStopCamera, `{"participantId":"x"}`, [5]string{OK, OK, F, F, F}},
		{MsgParticipantRemove, `{"participantId":"x","ban":true}`, [5]string{OK, OK, F, F, F}},
		{MsgLessonLock, `{"locked":true}`, [5]string{OK, OK, F, F, F}},
		{MsgLessonEnd, `{}`, [5]string{OK, F, F, F, F}},
		{MsgChatSend, `{"text":"hi"}`, [5]string{OK, OK, OK, F, OK}},
		{MsgChatSend, `{"text":"hi","to":"moderators"}`, [5]string{OK, OK, OK, F, OK}},
		{MsgChatSend, `{"text":"hi","to":"x"}`, [5]string{OK, OK, F, F, F}},
		{MsgChatDelete, `{"messageId":1}`, [5]string{OK, OK, F, F, F}},
		{MsgChatHistory, `{}`, [5]string{OK, OK, OK, OK, OK}},
		{MsgChatEnable, `{"enabled":false}`, [5]string{OK, OK, F, F, F}},
		{MsgChatSlow, `{"seconds":5}`, [5]string{OK, OK, F, F, F}},
		{MsgChatMute, `{"participantId":"x","muted":true}`, [5]string{OK, OK, F, F, F}},
		{MsgQuestionAsk, `{"text":"how?"}`, [5]string{F, F, OK, F, OK}},
		{MsgQuestionUpvote, `{"questionId":"id1"}`, [5]string{F, F, OK, F, OK}},
		{MsgQuestionAnswer, `{"questionId":"id1"}`, [5]string{OK, OK, F, F, F}},
		{MsgQuestionDismiss, `{"questionId":"id1"}`, [5]string{OK, OK, F, F, F}},
		{MsgPollCreate, `{"question":"q","kind":"yesno"}`, [5]string{OK, F, F, F, F}},
		{MsgPollVote, `{"pollId":"id2","choices":[0]}`, [5]string{F, F, OK, F, OK}},
		{MsgPollChangeVote, `{"pollId":"id3","choices":[1]}`, [5]string{F, F, OK, F, OK}},
		{MsgPollClose, `{"pollId":"id2"}`, [5]string{OK, F, F, F, F}},
		{MsgSlidesOpen, `{"materialId":"deck","page":2}`, [5]string{OK, OK, F, F, F}},
		{MsgSlidesOpen, `{"materialId":"elsewhere"}`, [5]string{NF, NF, F, F, F}},
		{MsgSlidesOpen, `{"materialId":"video"}`, [5]string{I, I, F, F, F}},
		{MsgSlidesPage, `{"page":2}`, [5]string{OK, OK, F, F, F}},
		{MsgSlidesPage, `{"page":13}`, [5]string{I, I, F, F, F}},
		{MsgSlidesPointer, `{"x":0.5,"y":0.25}`, [5]string{OK, OK, F, F, F}},
		{MsgSlidesPointer, `{"x":1.5,"y":0.25}`, [5]string{I, I, F, F, F}},
		{MsgSlidesClose, `{}`, [5]string{OK, OK, F, F, F}},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.typ] = true
		for i, actor := range actors {
			t.Run(tc.typ+"/"+actor, func(t *testing.T) {
				l := matrixLesson(t)
				r, err := l.Dispatch(ctx, actor, tc.typ, json.RawMessage(tc.payload))
				if got := CodeOf(err); got != tc.want[i] {
					t.Fatalf("%s %s as %s: code %q (%v), want %q", tc.typ, tc.payload, actor, got, err, tc.want[i])
				}
				if err != nil && (len(r.Events) != 0 || len(r.Effects) != 0) {
					t.Fatalf("refused command produced output: %+v", r)
				}
			})
		}
	}
	for _, typ := range MessageTypes() {
		if !covered[typ] {
			t.Errorf("message type %s missing from the matrix", typ)
		}
	}
}

func TestDispatchBadInput(t *testing.T) {
	l := matrixLesson(t)
	big := `{"text":"` + strings.Repeat("a", 1<<20) + `"}`
	tests := []struct {
		name, typ, payload, code string
	}{
		{"unknown type", "stage.takeOver", `{}`, CodeUnknownType},
		{"empty type", "", `{}`, CodeUnknownType},
		{"malformed", MsgChatSend, `{"text":`, CodeInvalid},
		{"not an object", MsgChatSend, `"hi"`, CodeInvalid},
		{"wrong field type", MsgStageSetLimit, `{"limit":"six"}`, CodeInvalid},
		{"unknown field", MsgChatSend, `{"text":"hi","html":"<b>"}`, CodeInvalid},
		{"trailing data", MsgChatSend, `{"text":"hi"} {}`, CodeInvalid},
		{"1 MB", MsgChatSend, big, CodeTooLong},
		{"null payload", MsgChatHistory, `null`, ""},
		{"empty payload", MsgHandRaise, ``, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.Dispatch(ctx, "s", tc.typ, json.RawMessage(tc.payload))
			wantCode(t, err, tc.code)
			if tc.code != "" {
				var e *Error
				if !asError(err, &e) || e.Message == "" {
					t.Fatalf("untyped error %v", err)
				}
			}
		})
	}
	// A student sending teacher-only messages and flooding: refused, and
	// the room carries on.
	for range 10 {
		_, _ = l.Dispatch(ctx, "s", MsgLessonEnd, nil)
		_, _ = l.Dispatch(ctx, "s", MsgChatSend, json.RawMessage(`{"text":"spam"}`))
	}
	if l.Ended() {
		t.Fatal("a student ended the lesson")
	}
	if _, err := l.Dispatch(ctx, "st", MsgChatSend, json.RawMessage(`{"text":"still here"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Dispatch(ctx, "nobody", MsgChatHistory, nil); CodeOf(err) != CodeNotFound {
		t.Fatalf("stranger: %v", err)
	}
}

func TestErrorJSON(t *testing.T) {
	b, _ := json.Marshal(rateLimited(1500*1e6, "slow"))
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if m["code"] != CodeRateLimited || m["retryAfterMs"] != float64(1500) {
		t.Fatalf("error JSON = %s", b)
	}
}

func FuzzDispatch(f *testing.F) {
	for _, typ := range MessageTypes() {
		f.Add(typ, `{}`)
	}
	f.Add(MsgChatSend, `{"text":"hi","to":"moderators"}`)
	f.Add(MsgPollCreate, `{"question":"q","kind":"multiple","options":["a","b"],"correct":[0,1],"durationSeconds":10}`)
	f.Fuzz(func(t *testing.T, typ, payload string) {
		l := matrixLesson(t)
		for _, actor := range []string{"t", "a", "s", "o", "st"} {
			_, err := l.Dispatch(ctx, actor, typ, json.RawMessage(payload))
			if err != nil && CodeOf(err) == CodeInternal {
				t.Fatalf("internal error for %s %q: %v", typ, payload, err)
			}
		}
	})
}
