package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lectern/lectern/classroom/live"
)

// PutRoomState implements live.Store: one JSON document per lesson,
// replaced whole (migration 0004).
func (l liveStore) PutRoomState(ctx context.Context, lessonID string, s live.RoomState) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("store: put room state: %w", err)
	}
	_, err = l.s.db.exec(ctx, `INSERT INTO live_rooms (lesson_id, state, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (lesson_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
		lessonID, string(b), ms(time.Now()))
	if err != nil {
		return fmt.Errorf("store: put room state: %w", err)
	}
	return nil
}

// RoomState implements live.Store.
func (l liveStore) RoomState(ctx context.Context, lessonID string) (live.RoomState, error) {
	var state string
	err := l.s.db.queryRow(ctx, `SELECT state FROM live_rooms WHERE lesson_id = ?`, []any{&state}, lessonID)
	if errors.Is(err, errNoRows) {
		return live.RoomState{}, notFound("room state of %s", lessonID)
	}
	if err != nil {
		return live.RoomState{}, fmt.Errorf("store: get room state: %w", err)
	}
	var s live.RoomState
	if err := json.Unmarshal([]byte(state), &s); err != nil {
		return live.RoomState{}, fmt.Errorf("store: room state of %s: %w", lessonID, err)
	}
	return s, nil
}
