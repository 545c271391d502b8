package live

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/lectern/lectern/token"
)

// MaxQuestionLen is the longest question, in characters.
const MaxQuestionLen = 1000

// QuestionStatus is where a question stands.
type QuestionStatus string

// The statuses.
const (
	QuestionOpen      QuestionStatus = "open"
	QuestionAnswered  QuestionStatus = "answered"
	QuestionDismissed QuestionStatus = "dismissed"
)

// Question is a student's question as stored.
type Question struct {
	ID         string
	LessonID   string
	AuthorID   string // participant id
	AuthorUser string // user id
	AuthorName string
	Text       string
	Anonymous  bool // hidden from other students, never from moderators
	AskedAt    time.Time
	Status     QuestionStatus
	Voters     []string // user ids, one upvote each
}

// QuestionAsk is the payload of question.ask.
type QuestionAsk struct {
	Text      string `json:"text"`
	Anonymous bool   `json:"anonymous,omitempty"`
}

// QuestionRef is the payload of question.upvote, question.answer and
// question.dismiss.
type QuestionRef struct {
	QuestionID string `json:"questionId"`
}

// QuestionInfo is a question on the wire. AuthorID and AuthorName are empty
// for an anonymous question except to moderators and its author.
type QuestionInfo struct {
	ID         string         `json:"id"`
	Text       string         `json:"text"`
	Anonymous  bool           `json:"anonymous"`
	AuthorID   string         `json:"authorId,omitempty"`
	AuthorName string         `json:"authorName,omitempty"`
	Votes      int            `json:"votes"`
	Status     QuestionStatus `json:"status"`
	AskedAt    int64          `json:"askedAt"`
	Mine       bool           `json:"mine,omitempty"`
	Voted      bool           `json:"voted,omitempty"`
}

// QuestionVoted is the payload of question.voted.
type QuestionVoted struct {
	QuestionID string `json:"questionId"`
	Votes      int    `json:"votes"`
}

// view renders q for a viewer: moderator, its author (by user id), or
// anyone else; viewerUser "" is the generic view for broadcast.
func (q *Question) view(moderator bool, viewerUser string) QuestionInfo {
	qi := QuestionInfo{
		ID: q.ID, Text: q.Text, Anonymous: q.Anonymous, Votes: len(q.Voters),
		Status: q.Status, AskedAt: ms(q.AskedAt),
	}
	mine := viewerUser != "" && viewerUser == q.AuthorUser
	if !q.Anonymous || moderator || mine {
		qi.AuthorID, qi.AuthorName = q.AuthorID, q.AuthorName
	}
	qi.Mine = mine
	qi.Voted = viewerUser != "" && slices.Contains(q.Voters, viewerUser)
	return qi
}

// publish emits q under typ: students (but the author) get the anonymous
// view, moderators the full one, the author their own.
func (l *Lesson) publishQuestion(r *Result, typ string, q *Question) {
	to := everyone()
	if m := l.members[q.AuthorID]; m != nil && m.UserID == q.AuthorUser {
		to = everyoneExcept(q.AuthorID)
		r.emit(typ, only(q.AuthorID), q.view(false, q.AuthorUser))
	}
	var mod any
	if q.Anonymous {
		mod = q.view(true, "")
	}
	r.emit2(typ, to, q.view(false, ""), mod)
}

func (l *Lesson) question(id string) (*Question, error) {
	q := l.questions[id]
	if q == nil {
		return nil, errf(CodeNotFound, "no such question")
	}
	return q, nil
}

// AskQuestion posts a student's question.
func (l *Lesson) AskQuestion(ctx context.Context, actorID string, c QuestionAsk) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	switch {
	case m.Role != token.RoleStudent:
		return r, errf(CodeForbidden, "only students ask questions")
	case m.chatMuted:
		// A moderator's chat mute covers questions too: they are text
		// everyone sees.
		return r, errf(CodeForbidden, "you are muted in chat, which covers questions")
	}
	text, err := cleanText(c.Text, MaxQuestionLen, "question")
	if err != nil {
		return r, err
	}
	now := l.now()
	if err := l.spend(m, now); err != nil {
		return r, err
	}
	q := &Question{
		ID: l.cfg.newID(), LessonID: l.id, AuthorID: m.ID, AuthorUser: m.UserID, AuthorName: m.Name,
		Text: text, Anonymous: c.Anonymous, AskedAt: now, Status: QuestionOpen,
	}
	if _, dup := l.questions[q.ID]; dup {
		return r, errf(CodeInternal, "question id collision")
	}
	if err := l.cfg.store.PutQuestion(ctx, *q); err != nil {
		l.logStore("question put", err)
		return r, internal(err)
	}
	l.questions[q.ID] = q
	l.qOrder = append(l.qOrder, q.ID)
	l.publishQuestion(&r, EvQuestionAsked, q)
	return r, nil
}

// UpvoteQuestion adds the actor's one upvote to an open question.
func (l *Lesson) UpvoteQuestion(ctx context.Context, actorID string, c QuestionRef) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	if m.Role != token.RoleStudent {
		return r, errf(CodeForbidden, "only students upvote questions")
	}
	q, err := l.question(c.QuestionID)
	if err != nil {
		return r, err
	}
	switch {
	case q.Status != QuestionOpen:
		return r, errf(CodeConflict, "the question is %s", q.Status)
	case slices.Contains(q.Voters, m.UserID):
		return r, errf(CodeConflict, "you already upvoted this question")
	}
	q.Voters = append(q.Voters, m.UserID)
	l.logStore("question put", l.cfg.store.PutQuestion(ctx, *q))
	r.emit(EvQuestionVoted, everyone(), QuestionVoted{QuestionID: q.ID, Votes: len(q.Voters)})
	return r, nil
}

// AnswerQuestion marks a question answered.
func (l *Lesson) AnswerQuestion(ctx context.Context, actorID string, c QuestionRef) (Result, error) {
	return l.closeQuestion(ctx, actorID, c, QuestionAnswered)
}

// DismissQuestion dismisses a question.
func (l *Lesson) DismissQuestion(ctx context.Context, actorID string, c QuestionRef) (Result, error) {
	return l.closeQuestion(ctx, actorID, c, QuestionDismissed)
}

func (l *Lesson) closeQuestion(ctx context.Context, actorID string, c QuestionRef, st QuestionStatus) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	if _, err := l.moderator(actorID); err != nil {
		return r, err
	}
	q, err := l.question(c.QuestionID)
	if err != nil {
		return r, err
	}
	if q.Status != QuestionOpen {
		return r, errf(CodeConflict, "the question is already %s", q.Status)
	}
	q.Status = st
	l.logStore("question put", l.cfg.store.PutQuestion(ctx, *q))
	l.publishQuestion(&r, EvQuestionUpdated, q)
	return r, nil
}

// questionsFor returns the questions m sees: open and answered ones
// (dismissed ones too if all), sorted by votes (most first), then by time
// asked.
func (l *Lesson) questionsFor(m *member, all bool) []QuestionInfo {
	out := make([]QuestionInfo, 0, len(l.qOrder))
	for _, id := range l.qOrder {
		q := l.questions[id]
		if all || q.Status != QuestionDismissed {
			out = append(out, q.view(m.Role.Moderator(), m.UserID))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Votes > out[j].Votes })
	return out
}
