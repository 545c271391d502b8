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

// OfferState counts what a participant keeps from its publish offers: the
// client track ids' sources, the SSRCs of a=ssrc-group:SIM lines, and the
// SSRCs the SFU's ridTagger learnt from it.
func OfferState(p *Participant) (sources, simSSRCs, tagged int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sources), len(p.simSSRC), len(p.tagged)
}

// RIDTags counts the SFU-wide ridTagger's tags.
func RIDTags(s *SFU) int {
	s.tags.mu.RLock()
	defer s.tags.mu.RUnlock()
	return len(s.tags.tags)
}

// Receivers counts the receivers a participant maps to its tracks.
func Receivers(p *Participant) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.byRecv)
}
