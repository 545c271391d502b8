package sfu

// SetTestHooks installs the race-window hooks of hooks.go; call it before
// anyone joins.
func SetTestHooks(s *SFU, beforeTrack, beforePlayer func(*Participant)) {
	s.hooks = testHooks{beforeTrackRegistered: beforeTrack, beforePlayerRegistered: beforePlayer}
}
