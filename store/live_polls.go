package store

import (
	"context"
	"fmt"

	"github.com/lectern/lectern/classroom/live"
)

// Questions, polls and votes keep their first insertion's seq when
// replaced, so lists come back in the order asked, created or first cast.

// PutQuestion implements live.Store.
func (l liveStore) PutQuestion(ctx context.Context, q live.Question) error {
	err := l.retrySeq(ctx, func() error {
		_, err := l.s.db.exec(ctx, `INSERT INTO live_questions (lesson_id, id, seq, author_id,
			author_user, author_name, body, anonymous, asked_at, status, voters)
			VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM live_questions WHERE lesson_id = ?),
			?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (lesson_id, id) DO UPDATE SET author_id = excluded.author_id,
			author_user = excluded.author_user, author_name = excluded.author_name,
			body = excluded.body, anonymous = excluded.anonymous, asked_at = excluded.asked_at,
			status = excluded.status, voters = excluded.voters`,
			q.LessonID, q.ID, q.LessonID, q.AuthorID, q.AuthorUser, q.AuthorName, q.Text,
			boolInt(q.Anonymous), ms(q.AskedAt), string(q.Status), jsonList(q.Voters))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: put question: %w", err)
	}
	return nil
}

// ListQuestions implements live.Store.
func (l liveStore) ListQuestions(ctx context.Context, lessonID string) ([]live.Question, error) {
	var out []live.Question
	rs, err := l.s.db.query(ctx, `SELECT id, lesson_id, author_id, author_user, author_name, body,
		anonymous, asked_at, status, voters FROM live_questions WHERE lesson_id = ? ORDER BY seq`, lessonID)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			q              live.Question
			anon, asked    int64
			status, voters string
		)
		if err := rs.Scan(&q.ID, &q.LessonID, &q.AuthorID, &q.AuthorUser, &q.AuthorName, &q.Text,
			&anon, &asked, &status, &voters); err != nil {
			return err
		}
		q.Anonymous, q.AskedAt, q.Status = anon != 0, fromMS(asked), live.QuestionStatus(status)
		var err error
		if q.Voters, err = fromJSONList[string]("voters", voters); err != nil {
			return err
		}
		out = append(out, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list questions: %w", err)
	}
	return out, nil
}

// PutPoll implements live.Store.
func (l liveStore) PutPoll(ctx context.Context, p live.Poll) error {
	err := l.retrySeq(ctx, func() error {
		_, err := l.s.db.exec(ctx, `INSERT INTO live_polls (lesson_id, id, seq, question, kind,
			options, anonymous, correct, created_by, opened_at, closes_at, closed_at, is_closed)
			VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM live_polls WHERE lesson_id = ?),
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (lesson_id, id) DO UPDATE SET question = excluded.question,
			kind = excluded.kind, options = excluded.options, anonymous = excluded.anonymous,
			correct = excluded.correct, created_by = excluded.created_by,
			opened_at = excluded.opened_at, closes_at = excluded.closes_at,
			closed_at = excluded.closed_at, is_closed = excluded.is_closed`,
			p.LessonID, p.ID, p.LessonID, p.Question, string(p.Kind), jsonList(p.Options),
			boolInt(p.Anonymous), jsonList(p.Correct), p.CreatedBy, ms(p.OpenedAt), ms(p.ClosesAt),
			ms(p.ClosedAt), boolInt(p.Closed))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: put poll: %w", err)
	}
	return nil
}

// ListPolls implements live.Store.
func (l liveStore) ListPolls(ctx context.Context, lessonID string) ([]live.Poll, error) {
	var out []live.Poll
	rs, err := l.s.db.query(ctx, `SELECT id, lesson_id, question, kind, options, anonymous, correct,
		created_by, opened_at, closes_at, closed_at, is_closed
		FROM live_polls WHERE lesson_id = ? ORDER BY seq`, lessonID)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			p                              live.Poll
			kind, options, correct         string
			anon, opened, closes, closedAt int64
			closed                         int64
		)
		if err := rs.Scan(&p.ID, &p.LessonID, &p.Question, &kind, &options, &anon, &correct,
			&p.CreatedBy, &opened, &closes, &closedAt, &closed); err != nil {
			return err
		}
		p.Kind, p.Anonymous, p.Closed = live.PollKind(kind), anon != 0, closed != 0
		p.OpenedAt, p.ClosesAt, p.ClosedAt = fromMS(opened), fromMS(closes), fromMS(closedAt)
		var err error
		if p.Options, err = fromJSONList[string]("options", options); err != nil {
			return err
		}
		if p.Correct, err = fromJSONList[int]("correct", correct); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list polls: %w", err)
	}
	return out, nil
}

// PutVote implements live.Store.
func (l liveStore) PutVote(ctx context.Context, v live.Vote) error {
	err := l.retrySeq(ctx, func() error {
		_, err := l.s.db.exec(ctx, `INSERT INTO live_votes (lesson_id, poll_id, user_id, seq,
			participant_id, name, choices, body, voted_at)
			VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM live_votes
				WHERE lesson_id = ? AND poll_id = ?), ?, ?, ?, ?, ?)
			ON CONFLICT (lesson_id, poll_id, user_id) DO UPDATE SET
			participant_id = excluded.participant_id, name = excluded.name,
			choices = excluded.choices, body = excluded.body, voted_at = excluded.voted_at`,
			v.LessonID, v.PollID, v.UserID, v.LessonID, v.PollID, v.ParticipantID, v.Name,
			jsonList(v.Choices), v.Text, ms(v.At))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: put vote: %w", err)
	}
	return nil
}

// ListVotes implements live.Store.
func (l liveStore) ListVotes(ctx context.Context, lessonID, pollID string) ([]live.Vote, error) {
	var out []live.Vote
	rs, err := l.s.db.query(ctx, `SELECT lesson_id, poll_id, user_id, participant_id, name, choices,
		body, voted_at FROM live_votes WHERE lesson_id = ? AND poll_id = ? ORDER BY seq`, lessonID, pollID)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			v       live.Vote
			choices string
			at      int64
		)
		if err := rs.Scan(&v.LessonID, &v.PollID, &v.UserID, &v.ParticipantID, &v.Name, &choices,
			&v.Text, &at); err != nil {
			return err
		}
		v.At = fromMS(at)
		var err error
		if v.Choices, err = fromJSONList[int]("choices", choices); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list votes: %w", err)
	}
	return out, nil
}
