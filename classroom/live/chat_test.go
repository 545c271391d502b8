package live

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

func chatLesson(t *testing.T, opts ...Option) (*Lesson, *clock) {
	t.Helper()
	l, c := newTestLesson(t, opts...)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "a", token.RoleAssistant)
	join(t, l, "s", token.RoleStudent)
	join(t, l, "s2", token.RoleStudent)
	join(t, l, "o", token.RoleObserver)
	return l, c
}

func TestChatTextRules(t *testing.T) {
	tests := []struct {
		name, text, want, code string
	}{
		{"plain", "hello", "hello", ""},
		{"trimmed", "  hi \n", "hi", ""},
		{"html kept as text", "<b>x</b><script>", "<b>x</b><script>", ""},
		{"empty", "   ", "", CodeInvalid},
		{"exactly 2000 runes", strings.Repeat("语", 2000), strings.Repeat("语", 2000), ""},
		{"2001 runes", strings.Repeat("a", 2001), "", CodeTooLong},
		{"invalid utf8", "a\xffb", "", CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := chatLesson(t)
			r, err := l.SendChat(ctx, "s", ChatSend{Text: tc.text})
			wantCode(t, err, tc.code)
			if err == nil {
				m := events(r, EvChatMessage)[0].Payload.(ChatInfo)
				if m.Text != tc.want || m.SenderID != "s" || m.ID == 0 {
					t.Fatalf("message = %+v", m)
				}
			}
		})
	}
}

func TestChatPermissions(t *testing.T) {
	l, _ := chatLesson(t)
	_, err := l.SendChat(ctx, "o", ChatSend{Text: "hi"})
	wantCode(t, err, CodeForbidden)
	// A student whose token withholds chat.
	if _, err := l.Join(ctx, JoinRequest{ConnID: "nc", UserID: "nc", Role: token.RoleStudent}); err != nil {
		t.Fatal(err)
	}
	_, err = l.SendChat(ctx, "nc", ChatSend{Text: "hi"})
	wantCode(t, err, CodeForbidden)

	ok(t)(l.SetChatEnabled(ctx, "a", ChatEnable{Enabled: false}))
	_, err = l.SendChat(ctx, "s", ChatSend{Text: "hi"})
	wantCode(t, err, CodeForbidden)
	ok(t)(l.SendChat(ctx, "a", ChatSend{Text: "moderators still talk"}))
	ok(t)(l.SetChatEnabled(ctx, "a", ChatEnable{Enabled: true}))

	r := ok(t)(l.MuteChat(ctx, "a", ChatMute{ParticipantID: "s", Muted: true}))
	if e := events(r, EvChatMuteChanged); len(e) != 1 || e[0].To != moderatorsAnd("s") {
		t.Fatalf("mute = %+v", r.Events)
	}
	_, err = l.SendChat(ctx, "s", ChatSend{Text: "hi"})
	wantCode(t, err, CodeForbidden)
	ok(t)(l.SendChat(ctx, "s2", ChatSend{Text: "others still talk"}))
	_, err = l.MuteChat(ctx, "a", ChatMute{ParticipantID: "s", Muted: true})
	wantCode(t, err, CodeConflict)
	ok(t)(l.MuteChat(ctx, "t", ChatMute{ParticipantID: "s", Muted: false}))
	ok(t)(l.SendChat(ctx, "s", ChatSend{Text: "back"}))
}

func TestChatRateLimit(t *testing.T) {
	l, c := chatLesson(t, WithChatRateLimit(5, 10*time.Second))
	for i := range 5 {
		ok(t)(l.SendChat(ctx, "s", ChatSend{Text: fmt.Sprint("m", i)}))
	}
	_, err := l.SendChat(ctx, "s", ChatSend{Text: "flood"})
	wantCode(t, err, CodeRateLimited)
	var e *Error
	if !asError(err, &e) || e.RetryAfter <= 0 || e.RetryAfter > 2*time.Second {
		t.Fatalf("retry after = %+v", err)
	}
	// Others are not affected; the room carries on.
	ok(t)(l.SendChat(ctx, "s2", ChatSend{Text: "fine"}))
	c.Add(2 * time.Second) // one token back (5 per 10 s)
	ok(t)(l.SendChat(ctx, "s", ChatSend{Text: "again"}))
	_, err = l.SendChat(ctx, "s", ChatSend{Text: "again"})
	wantCode(t, err, CodeRateLimited)
	// Refused input does not spend tokens.
	c.Add(2 * time.Second)
	_, err = l.SendChat(ctx, "s", ChatSend{Text: strings.Repeat("x", 3000)})
	wantCode(t, err, CodeTooLong)
	ok(t)(l.SendChat(ctx, "s", ChatSend{Text: "fits"}))
}

func TestSlowMode(t *testing.T) {
	l, c := chatLesson(t)
	_, err := l.SetSlowMode(ctx, "s", ChatSlow{Seconds: 5})
	wantCode(t, err, CodeForbidden)
	_, err = l.SetSlowMode(ctx, "a", ChatSlow{Seconds: -1})
	wantCode(t, err, CodeInvalid)
	r := ok(t)(l.SetSlowMode(ctx, "a", ChatSlow{Seconds: 30}))
	if u := events(r, EvLessonUpdated); len(u) != 1 || u[0].Payload.(Settings).SlowModeSeconds != 30 {
		t.Fatalf("slow = %+v", r.Events)
	}
	ok(t)(l.SendChat(ctx, "s", ChatSend{Text: "one"}))
	c.Add(29 * time.Second)
	_, err = l.SendChat(ctx, "s", ChatSend{Text: "two"})
	wantCode(t, err, CodeRateLimited)
	// Moderators are exempt from slow mode.
	ok(t)(l.SendChat(ctx, "t", ChatSend{Text: "t1"}))
	ok(t)(l.SendChat(ctx, "t", ChatSend{Text: "t2"}))
	c.Add(time.Second)
	ok(t)(l.SendChat(ctx, "s", ChatSend{Text: "two"}))
}

func TestPrivateChatVisibility(t *testing.T) {
	l, _ := chatLesson(t)
	r := ok(t)(l.SendChat(ctx, "s", ChatSend{Text: "psst", To: ToModeratorsTarget}))
	e := events(r, EvChatMessage)[0]
	for _, tc := range []struct {
		id   string
		role token.Role
		want bool
	}{
		{"t", token.RoleTeacher, true}, {"a", token.RoleAssistant, true}, {"s", token.RoleStudent, true},
		{"s2", token.RoleStudent, false}, {"o", token.RoleObserver, false},
	} {
		if _, got := e.For(tc.id, tc.role); got != tc.want {
			t.Errorf("%s sees private message: %v, want %v", tc.id, got, tc.want)
		}
	}
	// A moderator's private reply reaches that student and the moderators.
	r = ok(t)(l.SendChat(ctx, "a", ChatSend{Text: "reply", To: "s"}))
	if e := events(r, EvChatMessage)[0]; e.To != moderatorsAnd("s") {
		t.Fatalf("reply audience = %+v", e.To)
	}
	_, err := l.SendChat(ctx, "s", ChatSend{Text: "dm", To: "s2"})
	wantCode(t, err, CodeForbidden)
	_, err = l.SendChat(ctx, "a", ChatSend{Text: "dm", To: "nobody"})
	wantCode(t, err, CodeNotFound)
	ok(t)(l.SendChat(ctx, "s2", ChatSend{Text: "public"}))

	// History respects the same visibility.
	count := func(id string) int {
		s, err := l.Snapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return len(s.Chat.Messages)
	}
	if n := count("t"); n != 3 {
		t.Errorf("teacher history = %d, want 3", n)
	}
	if n := count("s"); n != 3 {
		t.Errorf("student s history = %d, want 3", n)
	}
	if n := count("s2"); n != 1 {
		t.Errorf("student s2 history = %d, want 1", n)
	}
	// The other student cannot delete (or even find) the private one.
	_, err = l.DeleteChat(ctx, "s2", ChatDelete{MessageID: 1})
	wantCode(t, err, CodeNotFound)
}

func TestChatDelete(t *testing.T) {
	l, _ := chatLesson(t)
	ok(t)(l.SendChat(ctx, "s", ChatSend{Text: "mine"}))   // 1
	ok(t)(l.SendChat(ctx, "s2", ChatSend{Text: "yours"})) // 2
	_, err := l.DeleteChat(ctx, "s", ChatDelete{MessageID: 2})
	wantCode(t, err, CodeForbidden)
	r := ok(t)(l.DeleteChat(ctx, "s", ChatDelete{MessageID: 1}))
	if d := events(r, EvChatDeleted); len(d) != 1 || d[0].Payload.(ChatDeleted).MessageID != 1 {
		t.Fatalf("delete = %+v", r.Events)
	}
	ok(t)(l.DeleteChat(ctx, "a", ChatDelete{MessageID: 2}))
	_, err = l.DeleteChat(ctx, "a", ChatDelete{MessageID: 2})
	wantCode(t, err, CodeNotFound)
	s, _ := l.Snapshot(ctx, "s")
	if len(s.Chat.Messages) != 0 {
		t.Fatalf("deleted messages in history: %+v", s.Chat.Messages)
	}
}

func TestChatHistoryPaging(t *testing.T) {
	l, _ := chatLesson(t, WithChatRateLimit(1000, time.Second))
	for i := 1; i <= 250; i++ {
		ok(t)(l.SendChat(ctx, "t", ChatSend{Text: fmt.Sprint(i)}))
	}
	jr := join(t, l, "late", token.RoleStudent)
	h := jr.Snapshot.Chat
	if len(h.Messages) != HistoryOnJoin || !h.HasMore || h.Messages[0].Text != "51" || h.Messages[199].Text != "250" {
		t.Fatalf("join history: %d msgs, more=%v, first=%q", len(h.Messages), h.HasMore, h.Messages[0].Text)
	}
	r := ok(t)(l.ChatHistory(ctx, "late", ChatHistoryRequest{BeforeID: h.Messages[0].ID, Limit: 30}))
	e := events(r, EvChatHistory)
	if len(e) != 1 || e[0].To != only("late") {
		t.Fatalf("history events = %+v", r.Events)
	}
	p := e[0].Payload.(ChatHistory)
	if len(p.Messages) != 30 || p.Messages[0].Text != "21" || p.Messages[29].Text != "50" || !p.HasMore {
		t.Fatalf("page = %d, %q..%q more=%v", len(p.Messages), p.Messages[0].Text, p.Messages[29].Text, p.HasMore)
	}
	r = ok(t)(l.ChatHistory(ctx, "late", ChatHistoryRequest{BeforeID: p.Messages[0].ID, Limit: 30}))
	p = events(r, EvChatHistory)[0].Payload.(ChatHistory)
	if len(p.Messages) != 20 || p.HasMore {
		t.Fatalf("last page = %d more=%v", len(p.Messages), p.HasMore)
	}
	_, err := l.ChatHistory(ctx, "late", ChatHistoryRequest{Limit: 500})
	wantCode(t, err, CodeInvalid)
	// Observers may read.
	ok(t)(l.ChatHistory(ctx, "o", ChatHistoryRequest{}))
}

func TestBucket(t *testing.T) {
	var b bucket
	t0 := time.Unix(0, 0)
	for i := range 3 {
		if ok, _ := b.take(t0, 3, 3*time.Second); !ok {
			t.Fatalf("take %d refused", i)
		}
	}
	if ok, wait := b.take(t0, 3, 3*time.Second); ok || wait != time.Second {
		t.Fatalf("4th take: %v wait %v", ok, wait)
	}
	if ok, _ := b.take(t0.Add(time.Second), 3, 3*time.Second); !ok {
		t.Fatal("refill failed")
	}
	if ok, _ := b.take(t0.Add(time.Hour), 3, 3*time.Second); !ok || b.tokens != 2 {
		t.Fatalf("burst cap: tokens %v", b.tokens)
	}
}
