package signaling

import (
	"time"

	"github.com/lectern/lectern/sfu"
)

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

// QueueFrames sends encoded envelopes to participant pid's session, as a
// fan-out does (written at once when nothing waits, else queued), and
// reports how many were taken before the client was found too slow.
func (s *Server) QueueFrames(lesson, pid string, frames [][]byte) int {
	ss := s.member(lesson, pid)
	if ss == nil {
		return 0
	}
	n := 0
	for _, f := range frames {
		ss.sendFrame(textFrame(append(make([]byte, maxFrameHeader), f...)), time.Now())
		if ss.slow.Load() {
			break
		}
		n++
	}
	return n
}

// ChatWriters returns how many lessons have a chat writer.
func (s *Server) ChatWriters() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.chats)
}
