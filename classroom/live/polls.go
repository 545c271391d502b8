package live

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/lectern/lectern/token"
)

// PollKind is the kind of a poll.
type PollKind string

// The kinds.
const (
	PollSingle   PollKind = "single"   // one of Options
	PollMultiple PollKind = "multiple" // one or more of Options
	PollYesNo    PollKind = "yesno"    // Yes, No or Abstain
	PollText     PollKind = "text"     // free text
)

// Poll limits.
const (
	MaxPollQuestionLen = 500
	MaxPollOptionLen   = 200
	MaxPollOptions     = 10
	MaxPollAnswerLen   = 500
	MaxPollDuration    = 3600 // seconds
	MinPollDuration    = 5
)

// YesNoOptions are the options of a yes/no/abstain poll.
var yesNoOptions = []string{"Yes", "No", "Abstain"}

// Poll is a poll as stored.
type Poll struct {
	ID        string
	LessonID  string
	Question  string
	Kind      PollKind
	Options   []string
	Anonymous bool  // voters are never exposed, not even to the teacher
	Correct   []int // option indexes; non-empty makes the poll a quiz
	CreatedBy string
	OpenedAt  time.Time
	ClosesAt  time.Time // zero: no timer
	ClosedAt  time.Time
	Closed    bool
}

// Vote is one student's vote as stored. For an anonymous poll ParticipantID
// and Name are empty; UserID is kept only so that each user votes once.
type Vote struct {
	LessonID      string
	PollID        string
	UserID        string
	ParticipantID string
	Name          string
	Choices       []int // option indexes, ascending
	Text          string
	At            time.Time
}

// PollCreate is the payload of poll.create.
type PollCreate struct {
	Question        string   `json:"question"`
	Kind            PollKind `json:"kind"`
	Options         []string `json:"options,omitempty"`
	Anonymous       bool     `json:"anonymous,omitempty"`
	Correct         []int    `json:"correct,omitempty"`
	DurationSeconds int      `json:"durationSeconds,omitempty"`
}

// PollVote is the payload of poll.vote and poll.changeVote: Choices for
// the choice kinds, Text for a text poll.
type PollVote struct {
	PollID  string `json:"pollId"`
	Choices []int  `json:"choices,omitempty"`
	Text    string `json:"text,omitempty"`
}

// PollClose is the payload of poll.close.
type PollClose struct {
	PollID string `json:"pollId"`
}

// PollInfo is an open poll on the wire (poll.opened, snapshot). Correct is
// shown to moderators only until the poll closes.
type PollInfo struct {
	ID        string     `json:"id"`
	Question  string     `json:"question"`
	Kind      PollKind   `json:"kind"`
	Options   []string   `json:"options,omitempty"`
	Anonymous bool       `json:"anonymous"`
	Quiz      bool       `json:"quiz"`
	Correct   []int      `json:"correct,omitempty"`
	OpenedAt  int64      `json:"openedAt"`
	ClosesAt  int64      `json:"closesAt,omitempty"`
	Closed    bool       `json:"closed"`
	MyVote    *PollVote  `json:"myVote,omitempty"`
	Counts    *PollTally `json:"counts,omitempty"` // moderators, in snapshots
}

// PollTally is the payload of poll.counts, live to moderators.
type PollTally struct {
	PollID string `json:"pollId"`
	Counts []int  `json:"counts,omitempty"` // per option
	Total  int    `json:"total"`            // voters
}

// TextAnswer is one answer to a text poll in results.
type TextAnswer struct {
	Name string `json:"name,omitempty"` // moderators, non-anonymous polls only
	Text string `json:"text"`
}

// PollResults is the payload of poll.results, sent to everyone on close.
type PollResults struct {
	PollID       string       `json:"pollId"`
	Question     string       `json:"question"`
	Kind         PollKind     `json:"kind"`
	Options      []string     `json:"options,omitempty"`
	Counts       []int        `json:"counts,omitempty"`
	Total        int          `json:"total"`
	Correct      []int        `json:"correct,omitempty"`
	CorrectVotes *int         `json:"correctVotes,omitempty"`
	Answers      []TextAnswer `json:"answers,omitempty"`
}

// VoteAccepted is the payload of poll.voteAccepted, sent to the voter.
type VoteAccepted struct {
	PollID  string `json:"pollId"`
	Choices []int  `json:"choices,omitempty"`
	Text    string `json:"text,omitempty"`
	Changed bool   `json:"changed"`
}

type pollState struct {
	Poll
	votes  map[string]*Vote // by user id
	order  []string         // user ids in order of first vote
	counts []int
}

// IsQuiz reports whether the poll has a correct answer.
func (p *Poll) IsQuiz() bool { return len(p.Correct) > 0 }

// IsCorrect reports whether v answers quiz p correctly.
func (p *Poll) IsCorrect(v Vote) bool {
	return p.IsQuiz() && slices.Equal(p.Correct, v.Choices)
}

// Answer renders v as text: the chosen options joined by "; ", or the text.
func (p *Poll) Answer(v Vote) string {
	if p.Kind == PollText {
		return v.Text
	}
	parts := make([]string, 0, len(v.Choices))
	for _, c := range v.Choices {
		if c >= 0 && c < len(p.Options) {
			parts = append(parts, p.Options[c])
		}
	}
	return strings.Join(parts, "; ")
}

// normChoices checks choice indexes against n options and returns them
// sorted; single says exactly one.
func normChoices(cs []int, n int, single bool, what string) ([]int, error) {
	if len(cs) == 0 {
		return nil, errf(CodeInvalid, "%s: choose at least one option", what)
	}
	if single && len(cs) != 1 {
		return nil, errf(CodeInvalid, "%s: choose exactly one option", what)
	}
	out := slices.Clone(cs)
	slices.Sort(out)
	for i, c := range out {
		if c < 0 || c >= n {
			return nil, errf(CodeInvalid, "%s: no option %d", what, c)
		}
		if i > 0 && out[i-1] == c {
			return nil, errf(CodeInvalid, "%s: option %d twice", what, c)
		}
	}
	return out, nil
}

func validatePoll(c PollCreate) (Poll, error) {
	var p Poll
	q, err := cleanText(c.Question, MaxPollQuestionLen, "question")
	if err != nil {
		return p, err
	}
	p.Question, p.Kind, p.Anonymous = q, c.Kind, c.Anonymous
	switch c.Kind {
	case PollSingle, PollMultiple:
		if len(c.Options) < 2 || len(c.Options) > MaxPollOptions {
			return p, errf(CodeInvalid, "a poll needs 2 to %d options", MaxPollOptions)
		}
		seen := map[string]bool{}
		for _, o := range c.Options {
			o, err := cleanText(o, MaxPollOptionLen, "option")
			if err != nil {
				return p, err
			}
			if seen[o] {
				return p, errf(CodeInvalid, "option %q twice", o)
			}
			seen[o] = true
			p.Options = append(p.Options, o)
		}
	case PollYesNo:
		if len(c.Options) > 0 {
			return p, errf(CodeInvalid, "a yes/no poll takes no options")
		}
		p.Options = slices.Clone(yesNoOptions)
	case PollText:
		if len(c.Options) > 0 || len(c.Correct) > 0 {
			return p, errf(CodeInvalid, "a text poll takes no options and no correct answer")
		}
	default:
		return p, errf(CodeInvalid, "unknown poll kind %q", c.Kind)
	}
	if len(c.Correct) > 0 {
		if p.Correct, err = normChoices(c.Correct, len(p.Options), c.Kind != PollMultiple, "correct"); err != nil {
			return p, err
		}
	}
	if c.DurationSeconds != 0 && (c.DurationSeconds < MinPollDuration || c.DurationSeconds > MaxPollDuration) {
		return p, errf(CodeInvalid, "durationSeconds must be 0 or %d to %d", MinPollDuration, MaxPollDuration)
	}
	return p, nil
}

func (p *pollState) info(moderator bool, v *Vote) PollInfo {
	pi := PollInfo{
		ID: p.ID, Question: p.Question, Kind: p.Kind, Options: p.Options, Anonymous: p.Anonymous,
		Quiz: p.IsQuiz(), OpenedAt: ms(p.OpenedAt), ClosesAt: ms(p.ClosesAt), Closed: p.Closed,
	}
	if moderator || p.Closed {
		pi.Correct = p.Correct
	}
	if v != nil {
		pi.MyVote = &PollVote{PollID: p.ID, Choices: v.Choices, Text: v.Text}
	}
	if moderator {
		t := p.tally()
		pi.Counts = &t
	}
	return pi
}

func (p *pollState) tally() PollTally {
	t := PollTally{PollID: p.ID, Total: len(p.votes)}
	if p.Kind != PollText {
		t.Counts = slices.Clone(p.counts)
	}
	return t
}

func (p *pollState) results(moderator bool) PollResults {
	res := PollResults{
		PollID: p.ID, Question: p.Question, Kind: p.Kind, Options: p.Options,
		Total: len(p.votes), Correct: p.Correct,
	}
	if p.Kind != PollText {
		res.Counts = slices.Clone(p.counts)
	}
	if moderator && p.IsQuiz() {
		n := 0
		for _, v := range p.votes {
			if p.IsCorrect(*v) {
				n++
			}
		}
		res.CorrectVotes = &n
	}
	if p.Kind == PollText {
		for _, u := range p.order {
			a := TextAnswer{Text: p.votes[u].Text}
			if moderator && !p.Anonymous {
				a.Name = p.votes[u].Name
			}
			res.Answers = append(res.Answers, a)
		}
	}
	return res
}

// CreatePoll opens a poll. Teacher only.
func (l *Lesson) CreatePoll(ctx context.Context, actorID string, c PollCreate) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.teacher(actorID)
	if err != nil {
		return r, err
	}
	p, err := validatePoll(c)
	if err != nil {
		return r, err
	}
	now := l.now()
	p.ID, p.LessonID, p.CreatedBy, p.OpenedAt = l.cfg.newID(), l.id, m.ID, now
	if c.DurationSeconds > 0 {
		p.ClosesAt = now.Add(time.Duration(c.DurationSeconds) * time.Second)
	}
	if _, dup := l.polls[p.ID]; dup {
		return r, errf(CodeInternal, "poll id collision")
	}
	if err := l.cfg.store.PutPoll(ctx, p); err != nil {
		l.logStore("poll put", err)
		return r, internal(err)
	}
	ps := &pollState{Poll: p, votes: map[string]*Vote{}, counts: make([]int, len(p.Options))}
	l.polls[p.ID] = ps
	l.pollOrder = append(l.pollOrder, p.ID)
	var mod any
	if ps.IsQuiz() {
		mod = ps.info(true, nil)
	}
	r.emit2(EvPollOpened, everyone(), ps.info(false, nil), mod)
	return r, nil
}

// Vote casts the actor's vote; a second Vote on the same poll is refused
// with CodeConflict (use ChangeVote).
func (l *Lesson) Vote(ctx context.Context, actorID string, c PollVote) (Result, error) {
	return l.vote(ctx, actorID, c, false)
}

// ChangeVote replaces the actor's vote while the poll is open.
func (l *Lesson) ChangeVote(ctx context.Context, actorID string, c PollVote) (Result, error) {
	return l.vote(ctx, actorID, c, true)
}

func (l *Lesson) vote(ctx context.Context, actorID string, c PollVote, change bool) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	if m.Role != token.RoleStudent {
		return r, errf(CodeForbidden, "only students vote")
	}
	p := l.polls[c.PollID]
	if p == nil {
		return r, errf(CodeNotFound, "no such poll")
	}
	now := l.now()
	if p.Closed || (!p.ClosesAt.IsZero() && !now.Before(p.ClosesAt)) {
		return r, errf(CodePollClosed, "the poll is closed")
	}
	old := p.votes[m.UserID]
	switch {
	case old != nil && !change:
		return r, errf(CodeConflict, "you already voted; change your vote instead")
	case old == nil && change:
		return r, errf(CodeNotFound, "you have not voted yet")
	}
	v := Vote{LessonID: l.id, PollID: p.ID, UserID: m.UserID, At: now}
	if !p.Anonymous {
		v.ParticipantID, v.Name = m.ID, m.Name
	}
	if p.Kind == PollText {
		if len(c.Choices) > 0 {
			return r, errf(CodeInvalid, "a text poll takes text, not choices")
		}
		if v.Text, err = cleanText(c.Text, MaxPollAnswerLen, "answer"); err != nil {
			return r, err
		}
	} else {
		if c.Text != "" {
			return r, errf(CodeInvalid, "this poll takes choices, not text")
		}
		if v.Choices, err = normChoices(c.Choices, len(p.Options), p.Kind != PollMultiple, "vote"); err != nil {
			return r, err
		}
	}
	if err := l.cfg.store.PutVote(ctx, v); err != nil {
		l.logStore("vote put", err)
		return r, internal(err)
	}
	if old != nil {
		for _, i := range old.Choices {
			p.counts[i]--
		}
	} else {
		p.order = append(p.order, m.UserID)
	}
	for _, i := range v.Choices {
		p.counts[i]++
	}
	p.votes[m.UserID] = &v
	r.emit(EvPollVoteAccepted, only(m.ID), VoteAccepted{PollID: p.ID, Choices: v.Choices, Text: v.Text, Changed: change})
	r.emit(EvPollCounts, moderators(), p.tally())
	return r, nil
}

// ClosePoll closes a poll and sends everyone its results. Teacher only.
func (l *Lesson) ClosePoll(ctx context.Context, actorID string, c PollClose) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	if _, err := l.teacher(actorID); err != nil {
		return r, err
	}
	p := l.polls[c.PollID]
	if p == nil {
		return r, errf(CodeNotFound, "no such poll")
	}
	if p.Closed {
		return r, errf(CodePollClosed, "the poll is already closed")
	}
	l.closePoll(ctx, &r, p, l.now())
	return r, nil
}

func (l *Lesson) closePoll(ctx context.Context, r *Result, p *pollState, now time.Time) {
	p.Closed, p.ClosedAt = true, now
	l.logStore("poll put", l.cfg.store.PutPoll(ctx, p.Poll))
	r.emit2(EvPollResults, everyone(), p.results(false), p.results(true))
}

func (l *Lesson) pollsFor(m *member) []PollInfo {
	var out []PollInfo
	for _, id := range l.pollOrder {
		p := l.polls[id]
		if !p.Closed {
			out = append(out, p.info(m.Role.Moderator(), p.votes[m.UserID]))
		}
	}
	return out
}
