package live

import "context"

// Finish ends the lesson for everyone on behalf of whoever owns the
// lesson's life (the teacher's End in the room, REST, a WHIP publisher's
// owner, the timeout): open polls close (results go out), attendance
// closes for everyone, hands and the stage clear, everyone sees
// lesson.ended, and the EffectEndLesson effect tells the caller to close
// the media room and every connection. by names who ended it (a
// participant id, an account id, or "timeout"). Finishing an ended lesson
// does nothing. The caller has already checked that by may end it.
func (l *Lesson) Finish(ctx context.Context, by string) Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.finish(ctx, by)
}

func (l *Lesson) finish(ctx context.Context, by string) Result {
	var r Result
	if l.ended {
		return r
	}
	now := l.now()
	for _, id := range l.pollOrder {
		if p := l.polls[id]; !p.Closed {
			l.closePoll(ctx, &r, p, now)
		}
	}
	for _, t := range l.ordered() {
		if t.restored {
			continue // back from a restart but never returned: no interval open
		}
		at := now
		if !t.connected {
			at = t.droppedAt
		}
		l.logStore("attendance", l.cfg.store.PutAttendance(ctx, l.attendance(t, at)))
	}
	l.ended = true
	l.hands, l.stage = nil, nil
	clear(l.invites)
	r.emit(EvLessonEnded, everyone(), Ended{By: by})
	r.effect(Effect{Kind: EffectEndLesson, Reason: "ended"})
	return r
}

// Banned reports whether userID is banned from this lesson.
func (l *Lesson) Banned(userID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.banned[userID]
}
