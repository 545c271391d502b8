package live

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/lectern/lectern/token"
)

func TestAudienceIncludes(t *testing.T) {
	roles := []token.Role{token.RoleTeacher, token.RoleAssistant, token.RoleStudent, token.RoleObserver}
	tests := []struct {
		a    Audience
		want map[token.Role]bool // for a participant other than "x"
		x    bool                // for participant "x" (a student)
	}{
		{everyone(), map[token.Role]bool{token.RoleTeacher: true, token.RoleAssistant: true, token.RoleStudent: true, token.RoleObserver: true}, true},
		{moderators(), map[token.Role]bool{token.RoleTeacher: true, token.RoleAssistant: true}, false},
		{only("x"), map[token.Role]bool{}, true},
		{moderatorsAnd("x"), map[token.Role]bool{token.RoleTeacher: true, token.RoleAssistant: true}, true},
		{everyoneExcept("x"), map[token.Role]bool{token.RoleTeacher: true, token.RoleAssistant: true, token.RoleStudent: true, token.RoleObserver: true}, false},
	}
	for _, tc := range tests {
		for _, r := range roles {
			if got := tc.a.Includes("other", r); got != tc.want[r] {
				t.Errorf("%+v includes other %s = %v", tc.a, r, got)
			}
		}
		if got := tc.a.Includes("x", token.RoleStudent); got != tc.x {
			t.Errorf("%+v includes x = %v", tc.a, got)
		}
	}
}

func TestRouteSplitsVariants(t *testing.T) {
	rs := []Recipient{{"t", token.RoleTeacher}, {"s1", token.RoleStudent}, {"s2", token.RoleStudent}, {"a", token.RoleAssistant}}
	evs := []Event{
		{Type: "x", To: everyone(), Payload: "plain", ModeratorPayload: "mod"},
		{Type: "y", To: everyoneExcept("s1"), Payload: "p"},
		{Type: "z", To: only("gone"), Payload: "bye"},
		{Type: "w", To: moderators(), Payload: "m"},
	}
	ds := Route(evs, rs)
	got := map[string]string{}
	for _, d := range ds {
		got[fmt.Sprint(d.Type, d.Payload)] = fmt.Sprint(d.To)
	}
	want := map[string]string{
		"xplain": "[s1 s2]", "xmod": "[t a]", "yp": "[t s2 a]", "zbye": "[gone]", "wm": "[t a]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("route = %v, want %v", got, want)
	}
}

func TestDeliverMatchesRoute(t *testing.T) {
	l, _ := chatLesson(t)
	r := ok(t)(l.AskQuestion(ctx, "s", QuestionAsk{Text: "?", Anonymous: true}))
	n := 0
	l.Deliver(r.Events, func(id string, e Event, p any) {
		n++
		q := p.(QuestionInfo)
		if (id == "s2" || id == "o") && q.AuthorID != "" {
			t.Errorf("%s got the author", id)
		}
		if (id == "t" || id == "a" || id == "s") && q.AuthorID != "s" {
			t.Errorf("%s lacks the author", id)
		}
	})
	if n != 5 {
		t.Fatalf("delivered %d, want 5", n)
	}
}

func TestPayloadsAreJSON(t *testing.T) {
	l, _ := chatLesson(t)
	var all []Event
	add := func(r Result, err error) { all = append(all, ok(t)(r, err).Events...) }
	add(l.SendChat(ctx, "s", ChatSend{Text: "hi"}))
	add(l.AskQuestion(ctx, "s", QuestionAsk{Text: "?"}))
	add(l.CreatePoll(ctx, "t", PollCreate{Question: "q", Kind: PollYesNo}))
	add(l.RaiseHand(ctx, "s", HandRaise{}))
	add(l.InviteToStage(ctx, "t", StageInvite{ParticipantID: "s"}))
	for _, e := range all {
		for _, p := range []any{e.Payload, e.ModeratorPayload} {
			if p == nil {
				continue
			}
			b, err := json.Marshal(p)
			if err != nil || len(b) < 2 || b[0] != '{' {
				t.Errorf("%s payload %s: %v", e.Type, b, err)
			}
		}
	}
	s, _ := l.Snapshot(ctx, "t")
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"lesson", "you", "participants", "stage", "hands", "chat", "questions", "polls", "invites"} {
		if _, ok := m[k]; !ok {
			t.Errorf("snapshot JSON lacks %q: %s", k, b)
		}
	}
}

// BenchmarkChatFanout500 measures routing one chat message to 500 students,
// 2 moderators and a few observers: the work between SendChat and the
// socket writes.
func BenchmarkChatFanout500(b *testing.B) {
	l, _ := newTestLesson(b, WithChatRateLimit(1<<30, 1))
	join(b, l, "t", token.RoleTeacher)
	join(b, l, "a", token.RoleAssistant)
	for i := range 500 {
		join(b, l, fmt.Sprint("s", i), token.RoleStudent)
	}
	r := ok(b)(l.SendChat(ctx, "s0", ChatSend{Text: "hello everyone"}))
	b.Run("Route", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ds := l.Route(r.Events)
			if len(ds[0].To) != 502 {
				b.Fatal(len(ds[0].To))
			}
		}
	})
	b.Run("Deliver", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			l.Deliver(r.Events, func(string, Event, any) { n++ })
			if n != 502 {
				b.Fatal(n)
			}
		}
	})
	b.Run("SendAndRoute", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := ok(b)(l.SendChat(ctx, "t", ChatSend{Text: "hello everyone"}))
			_ = l.Route(r.Events)
		}
	})
}
