package live

import (
	"context"
	"time"

	"github.com/lectern/lectern/token"
)

// Store keeps what outlives a lesson's memory: chat, questions, polls and
// their votes, attendance, and the moderation state (RoomState). Package store implements it on SQLite and
// PostgreSQL; MemoryStore is the default and the reference for tests.
//
// A Lesson calls its Store synchronously, while holding its lock except
// for chat appends (StoreChats), so implementations should be quick and
// must not call back into the Lesson.
// Lookups of something absent return an error for which
// errors.Is(err, ErrNotFound) is true.
type Store interface {
	// SlideLog keeps the slides' timeline (slides.go).
	SlideLog
	// ChatBatcher appends the chat of StoreChats (chat.go).
	ChatBatcher

	// AppendChat stores m, assigning m.ID (increasing within a lesson),
	// and returns it.
	AppendChat(ctx context.Context, m ChatMessage) (ChatMessage, error)
	// GetChat returns one message that is not deleted.
	GetChat(ctx context.Context, lessonID string, id int64) (ChatMessage, error)
	// ListChat returns up to q.Limit of the newest messages (not deleted)
	// with ID below q.BeforeID (any ID if 0) that q's viewer may see,
	// oldest first.
	ListChat(ctx context.Context, q ChatQuery) ([]ChatMessage, error)
	// DeleteChat deletes a message (softly or not; it is never listed again).
	DeleteChat(ctx context.Context, lessonID string, id int64) error

	// PutQuestion inserts or replaces a question by (LessonID, ID).
	PutQuestion(ctx context.Context, q Question) error
	// ListQuestions returns a lesson's questions in the order asked.
	ListQuestions(ctx context.Context, lessonID string) ([]Question, error)

	// PutPoll inserts or replaces a poll by (LessonID, ID).
	PutPoll(ctx context.Context, p Poll) error
	// ListPolls returns a lesson's polls in the order created.
	ListPolls(ctx context.Context, lessonID string) ([]Poll, error)
	// PutVote inserts or replaces a vote by (LessonID, PollID, UserID).
	PutVote(ctx context.Context, v Vote) error
	// ListVotes returns a poll's votes in the order first cast.
	ListVotes(ctx context.Context, lessonID, pollID string) ([]Vote, error)

	// PutAttendance inserts or replaces an interval by (LessonID,
	// ParticipantID, Joined). Left is zero while the interval is open.
	PutAttendance(ctx context.Context, a Attendance) error
	// ListAttendance returns a lesson's intervals ordered by Joined.
	ListAttendance(ctx context.Context, lessonID string) ([]Attendance, error)

	// PutRoomState replaces a lesson's moderation state.
	PutRoomState(ctx context.Context, lessonID string, s RoomState) error
	// RoomState returns a lesson's moderation state as last put.
	RoomState(ctx context.Context, lessonID string) (RoomState, error)
}

// ChatQuery selects a page of chat history as one viewer may see it:
// public messages, plus private ones if Moderator, plus private ones whose
// PeerUser is ViewerUser.
type ChatQuery struct {
	LessonID   string
	BeforeID   int64
	Limit      int
	ViewerUser string
	Moderator  bool
}

// Attendance is one interval of one participant in a lesson.
type Attendance struct {
	LessonID      string
	ParticipantID string
	UserID        string
	Name          string
	Role          token.Role
	Joined        time.Time
	Left          time.Time // zero while still in the lesson
}
