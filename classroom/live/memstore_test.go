package live

import (
	"errors"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// testStore checks the Store contract; package store can run the same
// checks against SQLite and PostgreSQL.
func testStore(t *testing.T, s Store) {
	t.Helper()
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	t.Run("chat", func(t *testing.T) {
		add := func(lesson, sender string, private bool, peer string) int64 {
			m, err := s.AppendChat(ctx, ChatMessage{LessonID: lesson, SenderUser: sender, Text: "x", Private: private, PeerUser: peer, SentAt: t0})
			if err != nil {
				t.Fatal(err)
			}
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
		ids := func(q ChatQuery) []int64 {
			ms, err := s.ListChat(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		eq := func(a, b []int64) bool {
			if len(a) != len(b) {
				return false
			}
			for i := range a {
				if a[i] != b[i] {
					return false
				}
			}
			return true
		}
		if got := ids(ChatQuery{LessonID: "L", Limit: 10, Moderator: true}); !eq(got, []int64{id1, id2, id3, id5}) {
			t.Errorf("moderator list = %v", got)
		}
		if got := ids(ChatQuery{LessonID: "L", Limit: 10, ViewerUser: "u2"}); !eq(got, []int64{id1, id2, id5}) {
			t.Errorf("u2 list = %v", got)
		}
		if got := ids(ChatQuery{LessonID: "L", Limit: 10, ViewerUser: "u3"}); !eq(got, []int64{id1, id5}) {
			t.Errorf("u3 list = %v", got)
		}
		if got := ids(ChatQuery{LessonID: "L", Limit: 2, Moderator: true}); !eq(got, []int64{id3, id5}) {
			t.Errorf("newest page = %v", got)
		}
		if got := ids(ChatQuery{LessonID: "L", Limit: 2, BeforeID: id3, Moderator: true}); !eq(got, []int64{id1, id2}) {
			t.Errorf("older page = %v", got)
		}
		if err := s.DeleteChat(ctx, "L", id1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetChat(ctx, "L", id1); !errors.Is(err, ErrNotFound) {
			t.Errorf("get deleted: %v", err)
		}
		if m, err := s.GetChat(ctx, "L", id2); err != nil || m.PeerUser != "u2" {
			t.Errorf("get = %+v %v", m, err)
		}
		if _, err := s.GetChat(ctx, "other", id2); !errors.Is(err, ErrNotFound) {
			t.Errorf("get across lessons: %v", err)
		}
		if got := ids(ChatQuery{LessonID: "L", Limit: 10, ViewerUser: "u3"}); !eq(got, []int64{id5}) {
			t.Errorf("after delete = %v", got)
		}
	})
	t.Run("questions polls votes", func(t *testing.T) {
		q := Question{ID: "q1", LessonID: "L", AuthorUser: "u1", Text: "?", Status: QuestionOpen, AskedAt: t0}
		_ = s.PutQuestion(ctx, q)
		q.Voters = []string{"u2"}
		q.Status = QuestionAnswered
		_ = s.PutQuestion(ctx, q)
		_ = s.PutQuestion(ctx, Question{ID: "q2", LessonID: "L"})
		qs, _ := s.ListQuestions(ctx, "L")
		if len(qs) != 2 || qs[0].Status != QuestionAnswered || len(qs[0].Voters) != 1 || qs[1].ID != "q2" {
			t.Errorf("questions = %+v", qs)
		}
		p := Poll{ID: "p1", LessonID: "L", Kind: PollYesNo, Options: yesNoOptions}
		_ = s.PutPoll(ctx, p)
		p.Closed = true
		_ = s.PutPoll(ctx, p)
		ps, _ := s.ListPolls(ctx, "L")
		if len(ps) != 1 || !ps[0].Closed {
			t.Errorf("polls = %+v", ps)
		}
		_ = s.PutVote(ctx, Vote{LessonID: "L", PollID: "p1", UserID: "u1", Choices: []int{0}})
		_ = s.PutVote(ctx, Vote{LessonID: "L", PollID: "p1", UserID: "u2", Choices: []int{1}})
		_ = s.PutVote(ctx, Vote{LessonID: "L", PollID: "p1", UserID: "u1", Choices: []int{2}})
		vs, _ := s.ListVotes(ctx, "L", "p1")
		if len(vs) != 2 || vs[0].UserID != "u1" || vs[0].Choices[0] != 2 {
			t.Errorf("votes = %+v", vs)
		}
	})
	t.Run("attendance", func(t *testing.T) {
		a := Attendance{LessonID: "L", ParticipantID: "p2", UserID: "u2", Role: token.RoleStudent, Joined: t0.Add(time.Minute)}
		_ = s.PutAttendance(ctx, a)
		_ = s.PutAttendance(ctx, Attendance{LessonID: "L", ParticipantID: "p1", UserID: "u1", Joined: t0})
		a.Left = t0.Add(time.Hour)
		_ = s.PutAttendance(ctx, a)
		as, _ := s.ListAttendance(ctx, "L")
		if len(as) != 2 || as[0].ParticipantID != "p1" || !as[1].Left.Equal(t0.Add(time.Hour)) {
			t.Errorf("attendance = %+v", as)
		}
	})
}

func TestMemoryStore(t *testing.T) { testStore(t, NewMemoryStore()) }
