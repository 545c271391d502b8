package live

import (
	"context"
	"errors"
	"time"
)

// Restore reloads from the store what a new Lesson for an existing lesson
// id needs, after a server restart or after the signalling layer forgot an
// empty room:
//
//   - questions, with their upvotes, so open ones are in snapshots again
//     and answering or upvoting them works;
//
//   - polls, with their votes and counts, so open ones are in snapshots
//     (with each student's vote), Tick closes timed ones whose time ran
//     out, and ExportPollCSV finds closed ones;
//
//   - attendance intervals the previous process left open (it died with
//     participants in the room) are closed at the last moment the store
//     saw the lesson active, so reports do not count the downtime.
//
//   - the moderation state (RoomState): lock, chat on/off, slow mode,
//     stage limit, bans, and the participants who held a hand, a stage
//     place or a moderator's mute, back as "reconnecting" for the
//     reconnection grace so that their users resume them by joining.
//
// Chat needs nothing: history is always read from the store.
//
// Call it once, after New and before anyone joins; otherwise it fails with
// CodeConflict. On error nothing is restored.
func (l *Lesson) Restore(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.members) > 0 || len(l.gone) > 0 || len(l.questions) > 0 || len(l.polls) > 0 || l.ended {
		return errf(CodeConflict, "restore a lesson before anyone joins it")
	}
	st := l.cfg.store
	qs, err := st.ListQuestions(ctx, l.id)
	if err != nil {
		l.logStore("restore questions", err)
		return internal(err)
	}
	polls, err := st.ListPolls(ctx, l.id)
	if err != nil {
		l.logStore("restore polls", err)
		return internal(err)
	}
	room, err := st.RoomState(ctx, l.id)
	hasRoom := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		l.logStore("restore room state", err)
		return internal(err)
	}
	var last time.Time // the latest activity the store knows of
	seen := func(t time.Time) {
		if t.After(last) {
			last = t
		}
	}
	states := make([]*pollState, 0, len(polls))
	for _, p := range polls {
		votes, err := st.ListVotes(ctx, l.id, p.ID)
		if err != nil {
			l.logStore("restore votes", err)
			return internal(err)
		}
		states = append(states, restorePoll(p, votes))
		seen(p.OpenedAt)
		seen(p.ClosedAt)
		for _, v := range votes {
			seen(v.At)
		}
	}
	for _, q := range qs {
		seen(q.AskedAt)
	}
	att, err := st.ListAttendance(ctx, l.id)
	if err != nil {
		l.logStore("restore attendance", err)
		return internal(err)
	}
	newest, err := st.ListChat(ctx, ChatQuery{LessonID: l.id, Limit: 1, Moderator: true})
	if err != nil {
		l.logStore("restore chat", err)
		return internal(err)
	}
	for _, m := range newest {
		seen(m.SentAt)
	}
	for _, a := range att {
		seen(a.Joined)
		seen(a.Left)
	}
	for _, a := range att {
		if a.Left.IsZero() {
			a.Left = last
			if err := st.PutAttendance(ctx, a); err != nil {
				l.logStore("restore attendance", err)
				return internal(err)
			}
		}
	}

	for i := range qs {
		q := qs[i]
		l.questions[q.ID] = &q
		l.qOrder = append(l.qOrder, q.ID)
	}
	for _, p := range states {
		l.polls[p.ID] = p
		l.pollOrder = append(l.pollOrder, p.ID)
	}
	if hasRoom {
		l.restoreRoom(room, l.now())
	}
	return nil
}

// restorePoll rebuilds a poll's live state from its stored votes. Choices
// out of range (a store edited by hand) are not counted.
func restorePoll(p Poll, votes []Vote) *pollState {
	ps := &pollState{Poll: p, votes: make(map[string]*Vote, len(votes)), counts: make([]int, len(p.Options))}
	for i := range votes {
		v := votes[i]
		if _, dup := ps.votes[v.UserID]; !dup {
			ps.order = append(ps.order, v.UserID)
		}
		ps.votes[v.UserID] = &v
	}
	for _, v := range ps.votes {
		for _, c := range v.Choices {
			if c >= 0 && c < len(ps.counts) {
				ps.counts[c]++
			}
		}
	}
	return ps
}
