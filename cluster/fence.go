package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/lectern/lectern/classroom/live"
)

// Fence wraps the live store so that every write of a lesson's live state
// (chat, questions, polls, votes, attendance, the room state, the slide
// log) happens only while this node holds the lesson's lease with the
// epoch it took. Reads pass through.
//
// The check takes a share lock on the lease row and keeps it until the
// write has returned, so a node taking the lease over (an UPDATE of that
// row) waits for writes under the old epoch to finish, and every write
// after it is refused: the new owner restores from a store the old one
// can no longer change. A refused write makes this node stop serving the
// lesson.
func (n *Node) Fence(st live.Store) live.Store { return fenced{Store: st, n: n} }

type fenced struct {
	live.Store
	n *Node
}

// write runs do under the lease of lessonID.
func (f fenced) write(ctx context.Context, lessonID string, do func() error) error {
	epoch, ok := f.n.epoch(lessonID)
	if !ok {
		return fmt.Errorf("%w: %s", ErrFenced, lessonID)
	}
	tx, err := f.n.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("cluster: fence: %w", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	var node string
	var cur int64
	err = tx.QueryRow(ctx, `SELECT node_id, epoch FROM lesson_leases WHERE lesson_id = $1 FOR SHARE`, lessonID).Scan(&node, &cur)
	noRow := errors.Is(err, pgx.ErrNoRows)
	if err != nil && !noRow {
		return fmt.Errorf("cluster: fence: %w", err)
	}
	if noRow || node != f.n.cfg.ID || cur != epoch {
		f.n.lose(lessonID, epoch)
		return fmt.Errorf("%w: %s (epoch %d, now %d at %s)", ErrFenced, lessonID, epoch, cur, node)
	}
	return do()
}

func (f fenced) AppendChat(ctx context.Context, m live.ChatMessage) (out live.ChatMessage, err error) {
	err = f.write(ctx, m.LessonID, func() error {
		out, err = f.Store.AppendChat(ctx, m)
		return err
	})
	return out, err
}

func (f fenced) DeleteChat(ctx context.Context, lessonID string, id int64) error {
	return f.write(ctx, lessonID, func() error { return f.Store.DeleteChat(ctx, lessonID, id) })
}

func (f fenced) PutQuestion(ctx context.Context, q live.Question) error {
	return f.write(ctx, q.LessonID, func() error { return f.Store.PutQuestion(ctx, q) })
}

func (f fenced) PutPoll(ctx context.Context, p live.Poll) error {
	return f.write(ctx, p.LessonID, func() error { return f.Store.PutPoll(ctx, p) })
}

func (f fenced) PutVote(ctx context.Context, v live.Vote) error {
	return f.write(ctx, v.LessonID, func() error { return f.Store.PutVote(ctx, v) })
}

func (f fenced) PutAttendance(ctx context.Context, a live.Attendance) error {
	return f.write(ctx, a.LessonID, func() error { return f.Store.PutAttendance(ctx, a) })
}

func (f fenced) PutRoomState(ctx context.Context, lessonID string, s live.RoomState) error {
	return f.write(ctx, lessonID, func() error { return f.Store.PutRoomState(ctx, lessonID, s) })
}

func (f fenced) AppendSlideEvent(ctx context.Context, e live.SlideEvent) error {
	return f.write(ctx, e.LessonID, func() error { return f.Store.AppendSlideEvent(ctx, e) })
}

// AppendChats keeps the store's one transaction per batch under the
// fence; a batch is one lesson's (signalling writes per lesson).
func (f fenced) AppendChats(ctx context.Context, msgs []live.ChatMessage) (out []live.ChatMessage, err error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	err = f.write(ctx, msgs[0].LessonID, func() error {
		out, err = f.Store.AppendChats(ctx, msgs)
		return err
	})
	return out, err
}
