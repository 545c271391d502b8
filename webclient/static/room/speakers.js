// Who is speaking (docs/protocol.md, `speakers`): the room keeps the last
// message as a Speakers state, and every view that shows people (the
// participant list, the stage strip, the stage slots) marks its elements
// with markSpeaker.

// Speakers is one `speakers` payload, read defensively.
export class Speakers {
  constructor(payload = {}) {
    this.active = typeof payload.active === 'string' ? payload.active : '';
    this.levels = new Map();
    for (const s of Array.isArray(payload.speaking) ? payload.speaking : []) {
      if (s && typeof s.participantId === 'string') this.levels.set(s.participantId, Number(s.level) || 0);
    }
  }

  speaking(pid) { return this.levels.has(pid); }
  isActive(pid) { return !!pid && pid === this.active; }
}

// markSpeaker sets the `speaking` and `active-speaker` classes of el for
// participant pid. Before the first `speakers` message (state null) the
// element keeps what it had, e.g. the classroom's `speaking` flag.
export function markSpeaker(el, pid, state) {
  if (!state) return;
  el.classList.toggle('speaking', !!pid && state.speaking(pid));
  el.classList.toggle('active-speaker', !!pid && state.isActive(pid));
}
