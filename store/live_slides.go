package store

import (
	"context"
	"fmt"

	"github.com/lectern/lectern/classroom/live"
)

// AppendSlideEvent implements live.SlideLog (migration 0014).
func (l liveStore) AppendSlideEvent(ctx context.Context, e live.SlideEvent) error {
	err := l.retrySeq(ctx, func() error {
		_, err := l.s.db.exec(ctx, `INSERT INTO live_slide_events (lesson_id, seq, at, material_id, page)
			VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM live_slide_events WHERE lesson_id = ?), ?, ?, ?)`,
			e.LessonID, e.LessonID, ms(e.At), e.MaterialID, e.Page)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: append slide event: %w", err)
	}
	return nil
}

// SlideEvents implements live.SlideLog.
func (l liveStore) SlideEvents(ctx context.Context, lessonID string) ([]live.SlideEvent, error) {
	var out []live.SlideEvent
	rs, err := l.s.db.query(ctx, `SELECT at, material_id, page FROM live_slide_events
		WHERE lesson_id = ? ORDER BY seq`, lessonID)
	err = scanAll(rs, err, func(rs rows) error {
		e := live.SlideEvent{LessonID: lessonID}
		var at int64
		if err := rs.Scan(&at, &e.MaterialID, &e.Page); err != nil {
			return err
		}
		e.At = fromMS(at)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: slide events: %w", err)
	}
	return out, nil
}
