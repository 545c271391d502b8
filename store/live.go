package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/token"
)

// Live returns the store of the live classroom (chat, questions, polls and
// votes, attendance) on the same database, for live.WithStore. It shares
// the Store's connections and is closed with it.
//
// Times are kept to the millisecond and come back in UTC.
func (s *Store) Live() live.Store { return liveStore{s} }

// liveStore implements live.Store. Its methods are single statements
// (no transactions): a live.Lesson calls them while holding its lock.
type liveStore struct{ s *Store }

var (
	_ live.Store       = liveStore{}
	_ live.ChatBatcher = liveStore{}
)

// maxSeqRetries bounds retries of an insert whose per-lesson number (chat
// id, seq) was taken by a concurrent insert (PostgreSQL; SQLite serialises
// writers).
const maxSeqRetries = 5

// retrySeq runs fn again while it fails on a unique constraint: a
// "MAX(...) + 1" computed alongside another writer.
func (l liveStore) retrySeq(ctx context.Context, fn func() error) error {
	for i := 0; ; i++ {
		err := fn()
		if err == nil || i == maxSeqRetries || l.s.db.classify(err) != errUnique || ctx.Err() != nil {
			return err
		}
	}
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("store: "+format+": %w", append(args, live.ErrNotFound)...)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// jsonList encodes a list column; nil is stored as null.
func jsonList[T any](v []T) string {
	b, _ := json.Marshal(v) // []string and []int cannot fail
	return string(b)
}

func fromJSONList[T any](col, s string) ([]T, error) {
	var v []T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("store: column %s: %w", col, err)
	}
	return v, nil
}

const chatCols = `id, lesson_id, sender_id, sender_user, sender_name, sender_role, body,
	is_private, peer_id, peer_user, sent_at`

type chatRow struct {
	m             live.ChatMessage
	role          string
	private, sent int64
}

func (r *chatRow) dest() []any {
	return []any{&r.m.ID, &r.m.LessonID, &r.m.SenderID, &r.m.SenderUser, &r.m.SenderName, &r.role,
		&r.m.Text, &r.private, &r.m.PeerID, &r.m.PeerUser, &r.sent}
}

func (r *chatRow) message() live.ChatMessage {
	r.m.SenderRole = token.Role(r.role)
	r.m.Private = r.private != 0
	r.m.SentAt = fromMS(r.sent)
	return r.m
}

// AppendChat implements live.Store. The id is the lesson's highest plus
// one, deleted messages included, so ids are never reused.
func (l liveStore) AppendChat(ctx context.Context, m live.ChatMessage) (live.ChatMessage, error) {
	err := l.retrySeq(ctx, func() error { return insertChat(ctx, l.s.db, &m) })
	if err != nil {
		return live.ChatMessage{}, fmt.Errorf("store: append chat: %w", err)
	}
	return m, nil
}

// AppendChats implements live.ChatBatcher: the messages in one
// transaction (one commit, one fsync on SQLite), ids in order.
func (l liveStore) AppendChats(ctx context.Context, msgs []live.ChatMessage) ([]live.ChatMessage, error) {
	out := make([]live.ChatMessage, len(msgs))
	err := l.retrySeq(ctx, func() error {
		return l.s.db.tx(ctx, func(q querier) error {
			for i, m := range msgs {
				if err := insertChat(ctx, q, &m); err != nil {
					return err
				}
				out[i] = m
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: append chat: %w", err)
	}
	return out, nil
}

// insertChat inserts m and sets m.ID.
func insertChat(ctx context.Context, q querier, m *live.ChatMessage) error {
	return q.queryRow(ctx, `INSERT INTO live_chat (lesson_id, id, sender_id, sender_user,
		sender_name, sender_role, body, is_private, peer_id, peer_user, sent_at)
		VALUES (?, (SELECT COALESCE(MAX(id), 0) + 1 FROM live_chat WHERE lesson_id = ?),
		?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, []any{&m.ID},
		m.LessonID, m.LessonID, m.SenderID, m.SenderUser, m.SenderName, string(m.SenderRole),
		m.Text, boolInt(m.Private), m.PeerID, m.PeerUser, ms(m.SentAt))
}

// GetChat implements live.Store.
func (l liveStore) GetChat(ctx context.Context, lessonID string, id int64) (live.ChatMessage, error) {
	var r chatRow
	err := l.s.db.queryRow(ctx, "SELECT "+chatCols+
		" FROM live_chat WHERE lesson_id = ? AND id = ? AND deleted_at = 0", r.dest(), lessonID, id)
	if errors.Is(err, errNoRows) {
		return live.ChatMessage{}, notFound("chat message %d", id)
	}
	if err != nil {
		return live.ChatMessage{}, fmt.Errorf("store: get chat: %w", err)
	}
	return r.message(), nil
}

// ListChat implements live.Store. It walks the primary key (lesson_id, id)
// backwards from BeforeID.
func (l liveStore) ListChat(ctx context.Context, q live.ChatQuery) ([]live.ChatMessage, error) {
	if q.Limit <= 0 {
		return nil, nil
	}
	stmt := "SELECT " + chatCols + " FROM live_chat WHERE lesson_id = ? AND deleted_at = 0"
	args := []any{q.LessonID}
	if q.BeforeID > 0 {
		stmt += " AND id < ?"
		args = append(args, q.BeforeID)
	}
	if !q.Moderator {
		stmt += " AND (is_private = 0 OR (peer_user <> '' AND peer_user = ?))"
		args = append(args, q.ViewerUser)
	}
	stmt += " ORDER BY id DESC LIMIT ?"
	args = append(args, q.Limit)
	var out []live.ChatMessage
	rs, err := l.s.db.query(ctx, stmt, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var r chatRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.message())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list chat: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// DeleteChat implements live.Store. The row stays, so that its id is not
// reused, but its text is erased; it is never listed or returned again.
func (l liveStore) DeleteChat(ctx context.Context, lessonID string, id int64) error {
	now := ms(l.s.now())
	if now == 0 {
		now = 1
	}
	_, err := l.s.db.exec(ctx, `UPDATE live_chat SET deleted_at = ?, body = ''
		WHERE lesson_id = ? AND id = ? AND deleted_at = 0`, now, lessonID, id)
	if err != nil {
		return fmt.Errorf("store: delete chat: %w", err)
	}
	return nil
}
