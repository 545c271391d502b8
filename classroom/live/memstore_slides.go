package live

import (
	"context"
	"slices"
)

// AppendSlideEvent implements SlideLog.
func (s *MemoryStore) AppendSlideEvent(_ context.Context, e SlideEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.slides == nil {
		s.slides = map[string][]SlideEvent{}
	}
	s.slides[e.LessonID] = append(s.slides[e.LessonID], e)
	return nil
}

// SlideEvents implements SlideLog.
func (s *MemoryStore) SlideEvents(_ context.Context, lessonID string) ([]SlideEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.slides[lessonID]), nil
}
