package live

import (
	"testing"

	"github.com/lectern/lectern/token"
)

func TestAnonymousQuestionVisibility(t *testing.T) {
	l, _ := chatLesson(t)
	r := ok(t)(l.AskQuestion(ctx, "s", QuestionAsk{Text: "why?", Anonymous: true}))
	got := map[string]QuestionInfo{}
	for _, v := range []struct {
		id   string
		role token.Role
	}{{"t", token.RoleTeacher}, {"a", token.RoleAssistant}, {"s", token.RoleStudent}, {"s2", token.RoleStudent}, {"o", token.RoleObserver}} {
		ps := received(r, v.id, v.role)[EvQuestionAsked]
		if len(ps) != 1 {
			t.Fatalf("%s got %d question.asked", v.id, len(ps))
		}
		got[v.id] = ps[0].(QuestionInfo)
	}
	for _, id := range []string{"t", "a"} {
		if got[id].AuthorName != "s" || got[id].AuthorID != "s" {
			t.Errorf("%s should see the author: %+v", id, got[id])
		}
	}
	if !got["s"].Mine || got["s"].AuthorID != "s" {
		t.Errorf("author's own view: %+v", got["s"])
	}
	for _, id := range []string{"s2", "o"} {
		if got[id].AuthorName != "" || got[id].AuthorID != "" || got[id].Mine || !got[id].Anonymous {
			t.Errorf("%s must not see the author: %+v", id, got[id])
		}
	}
	// Same in snapshots, and after an update.
	s2, _ := l.Snapshot(ctx, "s2")
	tv, _ := l.Snapshot(ctx, "t")
	if s2.Questions[0].AuthorName != "" || tv.Questions[0].AuthorName != "s" {
		t.Fatalf("snapshot views: %+v / %+v", s2.Questions[0], tv.Questions[0])
	}
	r = ok(t)(l.AnswerQuestion(ctx, "a", QuestionRef{QuestionID: s2.Questions[0].ID}))
	if p := received(r, "s2", token.RoleStudent)[EvQuestionUpdated][0].(QuestionInfo); p.AuthorName != "" || p.Status != QuestionAnswered {
		t.Fatalf("update leaks or wrong: %+v", p)
	}
}

func TestQuestionUpvotesAndSorting(t *testing.T) {
	l, _ := chatLesson(t)
	join(t, l, "s3", token.RoleStudent)
	ok(t)(l.AskQuestion(ctx, "s", QuestionAsk{Text: "first"}))   // id1
	ok(t)(l.AskQuestion(ctx, "s2", QuestionAsk{Text: "second"})) // id2
	ok(t)(l.AskQuestion(ctx, "s3", QuestionAsk{Text: "third"}))  // id3
	r := ok(t)(l.UpvoteQuestion(ctx, "s", QuestionRef{QuestionID: "id2"}))
	if v := events(r, EvQuestionVoted); len(v) != 1 || v[0].Payload.(QuestionVoted).Votes != 1 {
		t.Fatalf("vote = %+v", r.Events)
	}
	_, err := l.UpvoteQuestion(ctx, "s", QuestionRef{QuestionID: "id2"})
	wantCode(t, err, CodeConflict)
	ok(t)(l.UpvoteQuestion(ctx, "s3", QuestionRef{QuestionID: "id2"}))
	ok(t)(l.UpvoteQuestion(ctx, "s2", QuestionRef{QuestionID: "id3"}))
	_, err = l.UpvoteQuestion(ctx, "s", QuestionRef{QuestionID: "nope"})
	wantCode(t, err, CodeNotFound)

	snap, _ := l.Snapshot(ctx, "s")
	var order []string
	for _, q := range snap.Questions {
		order = append(order, q.Text)
	}
	if len(order) != 3 || order[0] != "second" || order[1] != "third" || order[2] != "first" {
		t.Fatalf("order = %v", order)
	}
	if !snap.Questions[0].Voted || snap.Questions[1].Voted {
		t.Errorf("voted flags: %+v", snap.Questions)
	}

	ok(t)(l.DismissQuestion(ctx, "t", QuestionRef{QuestionID: "id3"}))
	_, err = l.AnswerQuestion(ctx, "t", QuestionRef{QuestionID: "id3"})
	wantCode(t, err, CodeConflict)
	_, err = l.UpvoteQuestion(ctx, "s", QuestionRef{QuestionID: "id3"})
	wantCode(t, err, CodeConflict)
	snap, _ = l.Snapshot(ctx, "s")
	if len(snap.Questions) != 2 {
		t.Fatalf("dismissed question still open: %+v", snap.Questions)
	}
	_, err = l.AskQuestion(ctx, "s", QuestionAsk{Text: ""})
	wantCode(t, err, CodeInvalid)
}

// TestChatMuteCoversQuestions: a student muted in chat cannot post a
// question either; unmuted, they can.
func TestChatMuteCoversQuestions(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	ok(t)(l.MuteChat(ctx, "t", ChatMute{ParticipantID: "s", Muted: true}))
	_, err := l.AskQuestion(ctx, "s", QuestionAsk{Text: "may I?"})
	wantCode(t, err, CodeForbidden)
	if n := len(l.questions); n != 0 {
		t.Fatalf("%d questions stored", n)
	}
	ok(t)(l.MuteChat(ctx, "t", ChatMute{ParticipantID: "s", Muted: false}))
	ok(t)(l.AskQuestion(ctx, "s", QuestionAsk{Text: "may I now?"}))
}
