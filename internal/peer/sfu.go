package peer

import (
	"log/slog"
	"os"
	"time"

	"github.com/lectern/lectern/sfu"
)

// TestLog is the tests' logger: debug and up to stderr when
// LECTERN_TEST_LOG is set, otherwise nil (which the SFU and the
// signalling server take as "discard").
func TestLog() *slog.Logger {
	if os.Getenv("LECTERN_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// SFU is the tests' SFU: ICE on loopback (127.0.0.1:0), logging to
// TestLog, closed when t ends; any failure fails t.
func SFU(t TB) *sfu.SFU {
	t.Helper()
	s, err := sfu.New(sfu.Config{ICEUDPAddr: "127.0.0.1:0", Loopback: true, Logger: TestLog()})
	if err != nil {
		t.Fatalf("SFU: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// WaitTracks waits, up to 10 s, until room on s holds at least n tracks;
// otherwise it fails t.
func WaitTracks(t TB, s *sfu.SFU, room string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r := s.Room(room); r == nil || len(r.Tracks()) < n; r = s.Room(room) {
		if time.Now().After(deadline) {
			have := 0
			if r != nil {
				have = len(r.Tracks())
			}
			t.Fatalf("room %s has %d tracks, want %d", room, have, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// AnswerIn answers the SFU's subscribe offer to part, a participant joined
// in-process, as the signalling layer would: it applies the offer and
// hands part the complete answer.
func (s *Subscriber) AnswerIn(part *sfu.Participant, offer string) error {
	ans, err := s.Answer(offer)
	if err != nil {
		return err
	}
	return part.SetSubscribeAnswer(ans)
}
