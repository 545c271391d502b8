package signaling

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/token"
)

// The owner of a lesson's life: scheduled → live → ended (and back to
// scheduled when its teacher reopens it). Every move goes through
// SetLessonStatus — the teacher's End in the room, the first publication
// of a teacher or a WHIP publisher, REST, and the timeout of a live lesson
// nobody is in after its scheduled end — which persists it (one
// compare-and-set in the store), tells the room (lesson.status), and on
// the end closes every WebSocket, WHIP and WHEP session of the lesson,
// writes its attendance and drops its live state.

// LessonStore keeps lessons' status; package store implements it.
type LessonStore interface {
	classroom.LessonWriter
	// OverdueLessons lists live lessons whose scheduled end is before
	// `before`.
	OverdueLessons(ctx context.Context, before time.Time, limit int) ([]classroom.Lesson, error)
}

// LessonStatus is the payload of lesson.status, sent to everyone in the
// room when the lesson's status changes.
type LessonStatus struct {
	Status classroom.Status `json:"status"`
	By     string           `json:"by,omitempty"`
}

// TypeLessonStatus is the event of a status change.
const TypeLessonStatus = "lesson.status"

// SetLessonStatus moves lesson lessonID to next on behalf of by (an
// account id, or "timeout"), which the caller has authorised, writing news
// (nil for none: a cancellation, its mails, an audit entry) in the same
// transaction. It implements api.LessonLife. Ending an ended lesson is
// classroom.ErrAlreadyEnded; a move the rules forbid is classroom.ErrStatus.
// A lesson the store does not know (one opened with operator tokens only)
// moves in memory, unless it has news, which only the store can keep: then
// it is classroom.ErrNotFound and nothing moves.
func (s *Server) SetLessonStatus(ctx context.Context, lessonID string, next classroom.Status, by string, news *classroom.LessonNews) (classroom.Lesson, error) {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	l := classroom.Lesson{ID: lessonID, Status: next}
	changed, memory := true, true
	if s.cfg.Lessons != nil {
		var err error
		l, changed, err = classroom.Transition(ctx, s.cfg.Lessons, lessonID, next, time.Now(), news)
		switch {
		case errors.Is(err, classroom.ErrNotFound) && news == nil:
			l, changed = classroom.Lesson{ID: lessonID, Status: next}, true
		case err != nil:
			return l, err
		default:
			memory = false
		}
	}
	if memory && news != nil {
		return l, fmt.Errorf("lesson %s is not stored, so its news cannot be written: %w", lessonID, classroom.ErrNotFound)
	}
	if memory && next == classroom.StatusEnded && s.hasEnded(lessonID) {
		return l, classroom.ErrAlreadyEnded
	}
	if !changed {
		return l, nil
	}
	s.log.Info("lesson status", "lesson", lessonID, "status", next, "by", by)
	s.broadcast(lessonID, TypeLessonStatus, LessonStatus{Status: next, By: by})
	switch next {
	case classroom.StatusEnded:
		s.endLive(lessonID, by)
	case classroom.StatusScheduled:
		s.mu.Lock()
		delete(s.ended, lessonID)
		s.mu.Unlock()
	}
	return l, nil
}

// goLive moves a scheduled lesson live when its teacher (or a WHIP
// publisher) starts publishing; anything else is left as it is.
func (s *Server) goLive(lessonID, by string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.SetLessonStatus(ctx, lessonID, classroom.StatusLive, by, nil); err != nil &&
		!errors.Is(err, classroom.ErrStatus) && !errors.Is(err, classroom.ErrConflict) {
		s.log.Warn("going live", "lesson", lessonID, "err", err)
	}
}

// hasEnded reports whether this server ended the lesson (and nobody
// reopened it since).
func (s *Server) hasEnded(lessonID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended[lessonID]
}

// endLive finishes the lesson's live state (attendance, polls,
// lesson.ended), closes every connection to it with "lesson_ended",
// forgets the live state and tells the placement (a cluster's).
func (s *Server) endLive(lessonID, by string) {
	s.mu.Lock()
	s.ended[lessonID] = true
	l := s.live[lessonID]
	delete(s.live, lessonID)
	delete(s.chats, l)
	s.mu.Unlock()
	if l != nil {
		s.apply(lessonID, l, l.Finish(context.Background(), by))
	}
	for _, ss := range s.members(lessonID) {
		go ss.cut(access.ReasonLessonEnded)
	}
	for _, hs := range s.whip.all() {
		if hs.lesson == lessonID {
			s.closeHTTP(hs, access.ReasonLessonEnded)
		}
	}
	if s.cfg.LessonEnded != nil {
		s.cfg.LessonEnded(lessonID)
	}
	if room := s.cfg.SFU.Room(lessonID); room != nil {
		go room.Close()
	}
	if s.cfg.Placement != nil {
		s.cfg.Placement.Ended(lessonID, by)
	}
}

// present reports whether anyone is connected to the lesson.
func (s *Server) present(lessonID string) bool {
	if len(s.members(lessonID)) > 0 {
		return true
	}
	for _, hs := range s.whip.all() {
		if hs.lesson == lessonID {
			return true
		}
	}
	return false
}

// sweep ends live lessons that nobody is in, EndGrace after their
// scheduled end.
func (s *Server) sweep(now time.Time) {
	if s.cfg.Lessons == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := s.cfg.Lessons.OverdueLessons(ctx, now.Add(-s.cfg.EndGrace), 100)
	if err != nil {
		s.log.Warn("looking for overdue lessons", "err", err)
		return
	}
	for _, l := range list {
		if s.present(l.ID) || s.servedElsewhere(ctx, l.ID) {
			continue // another node serves it (and sweeps it)
		}
		if _, err := s.SetLessonStatus(ctx, l.ID, classroom.StatusEnded, "timeout", nil); err != nil &&
			!errors.Is(err, classroom.ErrAlreadyEnded) {
			s.log.Warn("ending an overdue lesson", "lesson", l.ID, "err", err)
		}
	}
}

// endLesson answers lesson.end from the room: the teacher ends the lesson
// for everyone through the lesson's owner. A second teacher (or a second
// press) gets already_ended.
func (ss *session) endLesson(env Envelope) error {
	if ss.claims.Role != token.RoleTeacher {
		return errorf(CodeForbidden, "only the teacher may end the lesson")
	}
	ctx, cancel := context.WithTimeout(ss.ctx, 10*time.Second)
	defer cancel()
	if _, err := ss.srv.SetLessonStatus(ctx, ss.lesson, classroom.StatusEnded, ss.claims.User, nil); err != nil {
		if errors.Is(err, classroom.ErrAlreadyEnded) {
			return errorf(CodeAlreadyEnded, "the lesson has already ended")
		}
		return err
	}
	if env.ID != "" {
		ss.send(TypeOK, env.ID, struct{}{})
	}
	return nil
}

// goAsync runs f on a goroutine Shutdown waits for, unless shutting down.
func (s *Server) goAsync(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}
