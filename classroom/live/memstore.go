package live

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"sync"
)

// MemoryStore is a Store in memory, for tests and single-process use.
// The zero value is not usable; call NewMemoryStore.
type MemoryStore struct {
	mu         sync.Mutex               // guards the maps below
	chat       map[string][]ChatMessage // lesson → messages by ID
	deleted    map[string]map[int64]bool
	nextID     map[string]int64
	questions  map[string][]Question
	polls      map[string][]Poll
	votes      map[[2]string][]Vote // (lesson, poll) → votes
	attendance map[string][]Attendance
	rooms      map[string]RoomState
	slides     map[string][]SlideEvent // made on first use (memstore_slides.go)
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		chat:       map[string][]ChatMessage{},
		deleted:    map[string]map[int64]bool{},
		nextID:     map[string]int64{},
		questions:  map[string][]Question{},
		polls:      map[string][]Poll{},
		votes:      map[[2]string][]Vote{},
		attendance: map[string][]Attendance{},
		rooms:      map[string]RoomState{},
	}
}

var _ Store = (*MemoryStore)(nil)

// AppendChat implements Store.
func (s *MemoryStore) AppendChat(_ context.Context, m ChatMessage) (ChatMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID[m.LessonID]++
	m.ID = s.nextID[m.LessonID]
	s.chat[m.LessonID] = append(s.chat[m.LessonID], m)
	return m, nil
}

// AppendChats implements Store.
func (s *MemoryStore) AppendChats(ctx context.Context, msgs []ChatMessage) ([]ChatMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]ChatMessage, len(msgs))
	for i, m := range msgs {
		out[i], _ = s.AppendChat(ctx, m)
	}
	return out, nil
}

// GetChat implements Store.
func (s *MemoryStore) GetChat(_ context.Context, lessonID string, id int64) (ChatMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := s.chat[lessonID]
	i := sort.Search(len(msgs), func(i int) bool { return msgs[i].ID >= id })
	if i == len(msgs) || msgs[i].ID != id || s.deleted[lessonID][id] {
		return ChatMessage{}, errf(CodeNotFound, "no such message")
	}
	return msgs[i], nil
}

// ListChat implements Store.
func (s *MemoryStore) ListChat(_ context.Context, q ChatQuery) ([]ChatMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := s.chat[q.LessonID]
	var out []ChatMessage
	for i := len(msgs) - 1; i >= 0 && len(out) < q.Limit; i-- {
		m := msgs[i]
		if (q.BeforeID > 0 && m.ID >= q.BeforeID) || s.deleted[q.LessonID][m.ID] {
			continue
		}
		if m.Private && !q.Moderator && (m.PeerUser == "" || m.PeerUser != q.ViewerUser) {
			continue
		}
		out = append(out, m)
	}
	slices.Reverse(out)
	return out, nil
}

// DeleteChat implements Store.
func (s *MemoryStore) DeleteChat(_ context.Context, lessonID string, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deleted[lessonID] == nil {
		s.deleted[lessonID] = map[int64]bool{}
	}
	s.deleted[lessonID][id] = true
	return nil
}

// PutQuestion implements Store.
func (s *MemoryStore) PutQuestion(_ context.Context, q Question) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q.Voters = slices.Clone(q.Voters)
	qs := s.questions[q.LessonID]
	for i := range qs {
		if qs[i].ID == q.ID {
			qs[i] = q
			return nil
		}
	}
	s.questions[q.LessonID] = append(qs, q)
	return nil
}

// ListQuestions implements Store.
func (s *MemoryStore) ListQuestions(_ context.Context, lessonID string) ([]Question, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.questions[lessonID])
	for i := range out {
		out[i].Voters = slices.Clone(out[i].Voters)
	}
	return out, nil
}

// PutPoll implements Store.
func (s *MemoryStore) PutPoll(_ context.Context, p Poll) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.Options, p.Correct = slices.Clone(p.Options), slices.Clone(p.Correct)
	ps := s.polls[p.LessonID]
	for i := range ps {
		if ps[i].ID == p.ID {
			ps[i] = p
			return nil
		}
	}
	s.polls[p.LessonID] = append(ps, p)
	return nil
}

// ListPolls implements Store.
func (s *MemoryStore) ListPolls(_ context.Context, lessonID string) ([]Poll, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.polls[lessonID]), nil
}

// PutVote implements Store.
func (s *MemoryStore) PutVote(_ context.Context, v Vote) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Choices = slices.Clone(v.Choices)
	k := [2]string{v.LessonID, v.PollID}
	vs := s.votes[k]
	for i := range vs {
		if vs[i].UserID == v.UserID {
			vs[i] = v
			return nil
		}
	}
	s.votes[k] = append(vs, v)
	return nil
}

// ListVotes implements Store.
func (s *MemoryStore) ListVotes(_ context.Context, lessonID, pollID string) ([]Vote, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.votes[[2]string{lessonID, pollID}]), nil
}

// PutAttendance implements Store.
func (s *MemoryStore) PutAttendance(_ context.Context, a Attendance) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	as := s.attendance[a.LessonID]
	for i := range as {
		if as[i].ParticipantID == a.ParticipantID && as[i].Joined.Equal(a.Joined) {
			as[i] = a
			return nil
		}
	}
	as = append(as, a)
	sort.SliceStable(as, func(i, j int) bool { return as[i].Joined.Before(as[j].Joined) })
	s.attendance[a.LessonID] = as
	return nil
}

// ListAttendance implements Store.
func (s *MemoryStore) ListAttendance(_ context.Context, lessonID string) ([]Attendance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.attendance[lessonID]), nil
}

// PutRoomState implements Store.
func (s *MemoryStore) PutRoomState(_ context.Context, lessonID string, rs RoomState) error {
	b, err := json.Marshal(rs) // a copy that shares no slices with the caller
	if err != nil {
		return err
	}
	var c RoomState
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rooms[lessonID] = c
	return nil
}

// RoomState implements Store.
func (s *MemoryStore) RoomState(_ context.Context, lessonID string) (RoomState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs, ok := s.rooms[lessonID]
	if !ok {
		return RoomState{}, errf(CodeNotFound, "no room state")
	}
	return rs, nil
}
