package signaling_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

// TestListenerCallsRunOnTheSession: the SFU's calls into a session (here
// speakers and subscriber figures, which update the classroom) return at
// once even while the signalling server's lock is taken: they are queued
// and run on the session's own goroutine, which delivers them, in order,
// once the lock is free. Run on the SFU's goroutine, they would wait for
// the lock and hold up the SFU.
func TestListenerCallsRunOnTheSession(t *testing.T) {
	ts := newServer(t)
	teacher := join(t, ts, "Q", "teacher", token.RoleTeacher, nil)
	student := join(t, ts, "Q", "student", token.RoleStudent, nil)
	l := ts.sig.ListenerOf("Q", teacher.Joined.Participant.ID)
	if l == nil {
		t.Fatal("no session for the teacher")
	}
	unlock := ts.sig.HoldLock()
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		l.Speakers(sfu.Speakers{Active: teacher.Joined.Participant.ID,
			Speaking: []sfu.SpeakerLevel{{ParticipantID: teacher.Joined.Participant.ID, Level: 0.2}}})
		l.SubscriberStats(sfu.SubscriberStats{Loss: 0.5})
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		unlock()
		t.Fatal("the listener calls waited for the server's lock")
	}
	unlock()
	// Delivered after the lock is free: the room sees the teacher speak
	// (the delta), and the teacher, a moderator, its own poor connection
	// (participant.quality, which students do not get).
	if _, ok := student.WaitEvent("participant.speaking", 5*time.Second, func(e signaling.Envelope) bool {
		return strings.Contains(string(e.Payload), `"speaking":true`)
	}); !ok {
		t.Fatal("participant.speaking never came")
	}
	if _, ok := teacher.WaitEvent("participant.quality", 5*time.Second, func(e signaling.Envelope) bool {
		return strings.Contains(string(e.Payload), `"quality":"poor"`)
	}); !ok {
		t.Fatal("the poor quality never came")
	}
	if e, ok := student.WaitEvent("participant.quality", 300*time.Millisecond, nil); ok {
		t.Fatalf("a student got another participant's quality: %s", e.Payload)
	}
	if _, ok := teacher.WaitEvent("subscriber.stats", 5*time.Second, nil); !ok {
		t.Fatal("subscriber.stats never reached the teacher")
	}
}
