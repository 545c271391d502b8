package sfu

// testHooks let a test stop a goroutine inside a window that is otherwise a
// few instructions wide, to prove that a race there is closed. Every field
// is nil in production; they are set only through export_test.go.
type testHooks struct {
	// beforeTrackRegistered runs in onTrack after a fresh track is made
	// and before it is registered in its room.
	beforeTrackRegistered func(*Participant)
	// beforePlayerRegistered runs in Play after the answer is made and
	// before the player is registered with its participant and room.
	beforePlayerRegistered func(*Participant)
}
