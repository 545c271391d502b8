package livetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/token"
)

// t0 has millisecond precision, as stores keep it.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// awkward is text a store must keep byte for byte.
const awkward = "It's \"quoted\"; -- not SQL? $1 \\ 日本語 🎓\n\ttab"

// Run runs the suite. open returns an empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) live.Store) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s live.Store)
	}{
		{"Chat", testChat},
		{"ChatFields", testChatFields},
		{"ChatIDsNotReused", testChatIDsNotReused},
		{"ChatConcurrent", testChatConcurrent},
		{"ChatBatch", testChatBatch},
		{"Questions", testQuestions},
		{"Polls", testPolls},
		{"Votes", testVotes},
		{"Attendance", testAttendance},
		{"RoomState", testRoomState},
		{"SlideLog", testSlideLog},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func chatIDs(t *testing.T, s live.Store, q live.ChatQuery) []int64 {
	t.Helper()
	ms, err := s.ListChat(context.Background(), q)
	must(t, err)
	out := []int64{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func testChat(t *testing.T, s live.Store) {
	ctx := context.Background()
	add := func(lesson, sender string, private bool, peer string) int64 {
		m, err := s.AppendChat(ctx, live.ChatMessage{LessonID: lesson, SenderUser: sender, Text: "x",
			Private: private, PeerUser: peer, SentAt: t0})
		must(t, err)
		return m.ID
	}
	id1 := add("L", "u1", false, "")
	id2 := add("L", "u2", true, "u2")
	id3 := add("L", "t", true, "")
	add("other", "u1", false, "")
	id5 := add("L", "u1", false, "")
	if !(id1 < id2 && id2 < id3 && id3 < id5) {
		t.Fatalf("ids not increasing: %d %d %d %d", id1, id2, id3, id5)
	}
	for _, c := range []struct {
		name string
		q    live.ChatQuery
		want []int64
	}{
		{"moderator", live.ChatQuery{LessonID: "L", Limit: 10, Moderator: true}, []int64{id1, id2, id3, id5}},
		{"peer u2", live.ChatQuery{LessonID: "L", Limit: 10, ViewerUser: "u2"}, []int64{id1, id2, id5}},
		{"other u3", live.ChatQuery{LessonID: "L", Limit: 10, ViewerUser: "u3"}, []int64{id1, id5}},
		{"anonymous viewer", live.ChatQuery{LessonID: "L", Limit: 10}, []int64{id1, id5}},
		{"newest page", live.ChatQuery{LessonID: "L", Limit: 2, Moderator: true}, []int64{id3, id5}},
		{"older page", live.ChatQuery{LessonID: "L", Limit: 2, BeforeID: id3, Moderator: true}, []int64{id1, id2}},
		{"before first", live.ChatQuery{LessonID: "L", Limit: 2, BeforeID: id1, Moderator: true}, []int64{}},
		{"filtered page", live.ChatQuery{LessonID: "L", Limit: 1, BeforeID: id5, ViewerUser: "u3"}, []int64{id1}},
		{"no such lesson", live.ChatQuery{LessonID: "none", Limit: 10, Moderator: true}, []int64{}},
	} {
		if got := chatIDs(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: list = %v, want %v", c.name, got, c.want)
		}
	}
	must(t, s.DeleteChat(ctx, "L", id1))
	if _, err := s.GetChat(ctx, "L", id1); !errors.Is(err, live.ErrNotFound) {
		t.Errorf("get deleted: %v", err)
	}
	if m, err := s.GetChat(ctx, "L", id2); err != nil || m.PeerUser != "u2" || m.ID != id2 {
		t.Errorf("get = %+v %v", m, err)
	}
	if _, err := s.GetChat(ctx, "other", id2); !errors.Is(err, live.ErrNotFound) {
		t.Errorf("get across lessons: %v", err)
	}
	if _, err := s.GetChat(ctx, "L", id5+100); !errors.Is(err, live.ErrNotFound) {
		t.Errorf("get missing: %v", err)
	}
	if got := chatIDs(t, s, live.ChatQuery{LessonID: "L", Limit: 10, ViewerUser: "u3"}); !slices.Equal(got, []int64{id5}) {
		t.Errorf("after delete = %v", got)
	}
	if got := chatIDs(t, s, live.ChatQuery{LessonID: "L", Limit: 10, Moderator: true}); !slices.Equal(got, []int64{id2, id3, id5}) {
		t.Errorf("moderator after delete = %v", got)
	}
}

func testChatFields(t *testing.T, s live.Store) {
	ctx := context.Background()
	in := live.ChatMessage{
		ID: 999, LessonID: "L", SenderID: "p1", SenderUser: "u1", SenderName: "Ada 'A'",
		SenderRole: token.RoleAssistant, Text: awkward, Private: true, PeerID: "p2", PeerUser: "u2",
		SentAt: t0.Add(1234 * time.Millisecond),
	}
	saved, err := s.AppendChat(ctx, in)
	must(t, err)
	if saved.ID <= 0 {
		t.Fatalf("assigned id %d", saved.ID)
	}
	got, err := s.GetChat(ctx, "L", saved.ID)
	must(t, err)
	want := in
	want.ID = saved.ID
	if !got.SentAt.Equal(want.SentAt) {
		t.Errorf("SentAt = %v, want %v", got.SentAt, want.SentAt)
	}
	got.SentAt, want.SentAt = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
	list, err := s.ListChat(ctx, live.ChatQuery{LessonID: "L", Limit: 1, Moderator: true})
	must(t, err)
	if len(list) != 1 || list[0].Text != awkward || list[0].SenderName != "Ada 'A'" {
		t.Errorf("list = %+v", list)
	}
}

func testChatIDsNotReused(t *testing.T, s live.Store) {
	ctx := context.Background()
	a, err := s.AppendChat(ctx, live.ChatMessage{LessonID: "L", Text: "a", SentAt: t0})
	must(t, err)
	b, err := s.AppendChat(ctx, live.ChatMessage{LessonID: "L", Text: "b", SentAt: t0})
	must(t, err)
	must(t, s.DeleteChat(ctx, "L", b.ID))
	c, err := s.AppendChat(ctx, live.ChatMessage{LessonID: "L", Text: "c", SentAt: t0})
	must(t, err)
	if !(a.ID < b.ID && b.ID < c.ID) {
		t.Errorf("ids %d %d %d: an id was reused after deleting the newest", a.ID, b.ID, c.ID)
	}
	if got := chatIDs(t, s, live.ChatQuery{LessonID: "L", Limit: 10, Moderator: true}); !slices.Equal(got, []int64{a.ID, c.ID}) {
		t.Errorf("list = %v", got)
	}
}

func testChatConcurrent(t *testing.T, s live.Store) {
	ctx := context.Background()
	const writers, each = 4, 10
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex // guards ids and errs
		ids  = map[int64]bool{}
		errs []error
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m, err := s.AppendChat(ctx, live.ChatMessage{LessonID: "L", Text: fmt.Sprintf("%d/%d", w, i), SentAt: t0})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if ids[m.ID] {
					errs = append(errs, fmt.Errorf("id %d assigned twice", m.ID))
				}
				ids[m.ID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	got := chatIDs(t, s, live.ChatQuery{LessonID: "L", Limit: 100, Moderator: true})
	if len(got) != writers*each || !slices.IsSorted(got) {
		t.Errorf("list = %v", got)
	}
}

func testQuestions(t *testing.T, s live.Store) {
	ctx := context.Background()
	q := live.Question{ID: "q1", LessonID: "L", AuthorID: "p1", AuthorUser: "u1", AuthorName: "Bo",
		Text: awkward, Anonymous: true, Status: live.QuestionOpen, AskedAt: t0.Add(time.Second)}
	must(t, s.PutQuestion(ctx, q))
	must(t, s.PutQuestion(ctx, live.Question{ID: "q2", LessonID: "L"})) // zero AskedAt: order is insertion
	must(t, s.PutQuestion(ctx, live.Question{ID: "q1", LessonID: "other", Text: "elsewhere"}))
	q.Voters = []string{"u2", "u3"}
	q.Status = live.QuestionAnswered
	must(t, s.PutQuestion(ctx, q)) // replacing keeps its place
	qs, err := s.ListQuestions(ctx, "L")
	must(t, err)
	if len(qs) != 2 || qs[0].ID != "q1" || qs[1].ID != "q2" {
		t.Fatalf("questions = %+v", qs)
	}
	got := qs[0]
	if !got.AskedAt.Equal(q.AskedAt) {
		t.Errorf("AskedAt = %v", got.AskedAt)
	}
	got.AskedAt, q.AskedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, q) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, q)
	}
	if len(qs[1].Voters) != 0 || !qs[1].AskedAt.IsZero() {
		t.Errorf("empty question = %+v", qs[1])
	}
	qs[0].Voters[0] = "changed" // the caller owns what it gets
	again, _ := s.ListQuestions(ctx, "L")
	if again[0].Voters[0] != "u2" {
		t.Errorf("a listed question aliases the store's")
	}
	other, err := s.ListQuestions(ctx, "other")
	if err != nil || len(other) != 1 || other[0].Text != "elsewhere" {
		t.Errorf("other lesson = %+v, %v", other, err)
	}
	if none, err := s.ListQuestions(ctx, "none"); err != nil || len(none) != 0 {
		t.Errorf("no lesson = %+v, %v", none, err)
	}
}

func testPolls(t *testing.T, s live.Store) {
	ctx := context.Background()
	p := live.Poll{ID: "p1", LessonID: "L", Question: awkward, Kind: live.PollMultiple,
		Options: []string{"A", "B ;", "C"}, Anonymous: true, Correct: []int{0, 2}, CreatedBy: "pt",
		OpenedAt: t0, ClosesAt: t0.Add(time.Minute)}
	must(t, s.PutPoll(ctx, p))
	must(t, s.PutPoll(ctx, live.Poll{ID: "p2", LessonID: "L", Question: "Say", Kind: live.PollText}))
	must(t, s.PutPoll(ctx, live.Poll{ID: "p1", LessonID: "other", Kind: live.PollYesNo}))
	p.Closed, p.ClosedAt = true, t0.Add(30*time.Second)
	must(t, s.PutPoll(ctx, p))
	ps, err := s.ListPolls(ctx, "L")
	must(t, err)
	if len(ps) != 2 || ps[0].ID != "p1" || ps[1].ID != "p2" {
		t.Fatalf("polls = %+v", ps)
	}
	got := ps[0]
	for _, tt := range [][2]time.Time{{got.OpenedAt, p.OpenedAt}, {got.ClosesAt, p.ClosesAt}, {got.ClosedAt, p.ClosedAt}} {
		if !tt[0].Equal(tt[1]) {
			t.Errorf("time %v, want %v", tt[0], tt[1])
		}
	}
	got.OpenedAt, got.ClosesAt, got.ClosedAt = time.Time{}, time.Time{}, time.Time{}
	want := p
	want.OpenedAt, want.ClosesAt, want.ClosedAt = time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
	if text := ps[1]; len(text.Options) != 0 || len(text.Correct) != 0 || text.Closed || !text.ClosesAt.IsZero() {
		t.Errorf("text poll = %+v", text)
	}
	if other, err := s.ListPolls(ctx, "other"); err != nil || len(other) != 1 || other[0].Kind != live.PollYesNo {
		t.Errorf("other lesson = %+v, %v", other, err)
	}
}

func testVotes(t *testing.T, s live.Store) {
	ctx := context.Background()
	v1 := live.Vote{LessonID: "L", PollID: "p1", UserID: "u1", ParticipantID: "p-1", Name: "Bo",
		Choices: []int{0}, At: t0}
	must(t, s.PutVote(ctx, v1))
	must(t, s.PutVote(ctx, live.Vote{LessonID: "L", PollID: "p1", UserID: "u2", Choices: []int{1}, At: t0}))
	must(t, s.PutVote(ctx, live.Vote{LessonID: "L", PollID: "p2", UserID: "u1", Text: awkward, At: t0}))
	must(t, s.PutVote(ctx, live.Vote{LessonID: "other", PollID: "p1", UserID: "u9", Choices: []int{2}}))
	v1.Choices, v1.At = []int{1, 2}, t0.Add(time.Second)
	must(t, s.PutVote(ctx, v1)) // a changed vote keeps its place
	vs, err := s.ListVotes(ctx, "L", "p1")
	must(t, err)
	if len(vs) != 2 || vs[0].UserID != "u1" || vs[1].UserID != "u2" {
		t.Fatalf("votes = %+v", vs)
	}
	got := vs[0]
	if !got.At.Equal(v1.At) {
		t.Errorf("At = %v", got.At)
	}
	got.At, v1.At = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, v1) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, v1)
	}
	text, err := s.ListVotes(ctx, "L", "p2")
	if err != nil || len(text) != 1 || text[0].Text != awkward || len(text[0].Choices) != 0 {
		t.Errorf("text votes = %+v, %v", text, err)
	}
	if other, err := s.ListVotes(ctx, "other", "p1"); err != nil || len(other) != 1 || other[0].UserID != "u9" {
		t.Errorf("other lesson = %+v, %v", other, err)
	}
	if none, err := s.ListVotes(ctx, "L", "none"); err != nil || len(none) != 0 {
		t.Errorf("no poll = %+v, %v", none, err)
	}
}

func testAttendance(t *testing.T, s live.Store) {
	ctx := context.Background()
	a := live.Attendance{LessonID: "L", ParticipantID: "p2", UserID: "u2", Name: "Bo",
		Role: token.RoleStudent, Joined: t0.Add(time.Minute)}
	must(t, s.PutAttendance(ctx, a))
	must(t, s.PutAttendance(ctx, live.Attendance{LessonID: "L", ParticipantID: "p1", UserID: "u1",
		Role: token.RoleTeacher, Joined: t0}))
	// p2 again, later: a second interval.
	must(t, s.PutAttendance(ctx, live.Attendance{LessonID: "L", ParticipantID: "p2", UserID: "u2",
		Name: "Bo", Role: token.RoleStudent, Joined: t0.Add(2 * time.Hour)}))
	must(t, s.PutAttendance(ctx, live.Attendance{LessonID: "other", ParticipantID: "p1", Joined: t0}))
	a.Left = t0.Add(time.Hour)
	must(t, s.PutAttendance(ctx, a)) // closes the first interval
	as, err := s.ListAttendance(ctx, "L")
	must(t, err)
	if len(as) != 3 || as[0].ParticipantID != "p1" || as[1].ParticipantID != "p2" || as[2].ParticipantID != "p2" {
		t.Fatalf("attendance = %+v", as)
	}
	if !as[1].Left.Equal(t0.Add(time.Hour)) || !as[1].Joined.Equal(a.Joined) || !as[2].Left.IsZero() || !as[0].Left.IsZero() {
		t.Errorf("intervals = %+v", as)
	}
	if as[1].UserID != "u2" || as[1].Name != "Bo" || as[1].Role != token.RoleStudent || as[1].LessonID != "L" {
		t.Errorf("fields = %+v", as[1])
	}
	if other, err := s.ListAttendance(ctx, "other"); err != nil || len(other) != 1 {
		t.Errorf("other lesson = %+v, %v", other, err)
	}
}

func testRoomState(t *testing.T, s live.Store) {
	ctx := context.Background()
	if _, err := s.RoomState(ctx, "L"); !errors.Is(err, live.ErrNotFound) {
		t.Fatalf("room state of a lesson never put: %v, want ErrNotFound", err)
	}
	first := live.RoomState{Locked: true, ChatEnabled: false, SlowMode: 30 * time.Second, StageLimit: 3,
		Banned: []string{"u-banned", awkward},
		Members: []live.MemberState{
			{ParticipantID: "p1", UserID: "u1", Name: awkward, Role: token.RoleStudent, MicMuted: true, ChatMuted: true},
			{ParticipantID: "p2", UserID: "u2", Name: "Two", Role: token.RoleStudent, CameraStopped: true},
		},
		Hands: []live.HandState{{ParticipantID: "p2", RaisedAt: t0.Add(time.Second)}},
		Stage: []string{"p1"},
		Slides: &live.SlideState{SlideDeck: live.SlideDeck{MaterialID: "m1", Name: awkward, Pages: 12},
			Page: 3, By: "p1", At: t0.UnixMilli()},
	}
	must(t, s.PutRoomState(ctx, "L", first))
	got, err := s.RoomState(ctx, "L")
	must(t, err)
	if !reflect.DeepEqual(got, first) {
		t.Fatalf("room state:\n got %+v\nwant %+v", got, first)
	}
	// Replaced whole; other lessons untouched.
	second := live.RoomState{ChatEnabled: true, StageLimit: 6}
	must(t, s.PutRoomState(ctx, "L", second))
	must(t, s.PutRoomState(ctx, "other", first))
	if got, err := s.RoomState(ctx, "L"); err != nil || !reflect.DeepEqual(got, second) {
		t.Fatalf("after replace: %+v, %v; want %+v", got, err, second)
	}
	if got, err := s.RoomState(ctx, "other"); err != nil || !reflect.DeepEqual(got, first) {
		t.Fatalf("other lesson: %+v, %v", got, err)
	}
}

// testChatBatch: AppendChats keeps a batch whole, in order, with ids
// after the ones before it, and keeps nothing of a batch that fails.
func testChatBatch(t *testing.T, s live.Store) {
	ctx := context.Background()
	first, err := s.AppendChat(ctx, live.ChatMessage{LessonID: "L", SenderUser: "u0", Text: "before", SentAt: t0})
	must(t, err)
	batch := []live.ChatMessage{
		{LessonID: "L", SenderUser: "u1", Text: "one", SentAt: t0},
		{LessonID: "L", SenderUser: "u2", Text: awkward, SentAt: t0.Add(time.Millisecond)},
		{LessonID: "L", SenderUser: "u3", Text: "three", Private: true, PeerUser: "u3", SentAt: t0.Add(2 * time.Millisecond)},
	}
	saved, err := s.AppendChats(ctx, batch)
	must(t, err)
	if len(saved) != len(batch) {
		t.Fatalf("%d messages back from a batch of %d", len(saved), len(batch))
	}
	for i, m := range saved {
		if m.ID != first.ID+int64(i)+1 || m.Text != batch[i].Text || m.SenderUser != batch[i].SenderUser {
			t.Errorf("message %d of the batch came back as %+v", i, m)
		}
	}
	want := []int64{first.ID, saved[0].ID, saved[1].ID, saved[2].ID}
	if got := chatIDs(t, s, live.ChatQuery{LessonID: "L", Limit: 10, Moderator: true}); !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.AppendChats(cancelled, batch); err == nil {
		t.Error("a batch with a cancelled context was kept")
	}
	if got := chatIDs(t, s, live.ChatQuery{LessonID: "L", Limit: 10, Moderator: true}); !slices.Equal(got, want) {
		t.Errorf("after a failed batch: %v, want %v", got, want)
	}
}
