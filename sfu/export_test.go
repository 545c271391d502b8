package sfu

// SetTestHooks installs the race-window hooks of hooks.go; call it before
// anyone joins.
func SetTestHooks(s *SFU, beforeTrack, beforePlayer func(*Participant)) {
	s.hooks = testHooks{beforeTrackRegistered: beforeTrack, beforePlayerRegistered: beforePlayer}
}

// RelayedIDs counts the relay stream ids a participant keeps from the
// offers PublishRelayed applied (ids, sources and shown-as entries).
func RelayedIDs(p *Participant) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.relayed) + len(p.shownAs) + len(p.sources)
}
