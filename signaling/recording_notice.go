package signaling

// TypeRecordingStopped tells a lesson's teacher and assistants that its
// recording stopped early (a full disk); the live lesson goes on.
const TypeRecordingStopped = "recording.stopped"

// RecordingStopped is the payload of recording.stopped.
type RecordingStopped struct {
	Message string `json:"message"`
}

// RecordingStopped sends recording.stopped to the moderators connected to
// the lesson (the recorder's Notifier).
func (s *Server) RecordingStopped(lessonID string, err error) {
	msg := "the recording stopped"
	if err != nil {
		msg = err.Error()
	}
	s.mu.Lock()
	var to []*session
	if h := s.lessons[lessonID]; h != nil {
		for _, ss := range h.members {
			if ss.claims.Role.Moderator() {
				to = append(to, ss)
			}
		}
	}
	s.mu.Unlock()
	for _, ss := range to {
		ss.send(TypeRecordingStopped, "", RecordingStopped{Message: msg})
	}
}
