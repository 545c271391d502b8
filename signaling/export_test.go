package signaling

import "github.com/lectern/lectern/sfu"

// ListenerOf returns the SFU listener of participant pid's WebSocket
// session in a lesson, or nil.
func (s *Server) ListenerOf(lesson, pid string) sfu.QualityListener {
	if ss := s.member(lesson, pid); ss != nil {
		return ss
	}
	return nil
}

// HoldLock takes the server's lock, as an SFU goroutine calling into
// signalling might find it taken; the returned func gives it back.
func (s *Server) HoldLock() func() {
	s.mu.Lock()
	return s.mu.Unlock
}
