// Candidate plumbing shared by both peer connections: local candidates are
// held until the description they belong to has been sent, remote ones
// until a remote description is set. The server sends no candidates of its
// own (its descriptions carry them all), so the inbox is a safeguard.

export class Trickle {
  #outbox = [];
  #inbox = [];
  #canSend = false;

  constructor(pc, target, signal) {
    this.pc = pc;
    this.target = target;
    this.signal = signal;
    pc.addEventListener('icecandidate', (ev) => {
      if (!ev.candidate || !ev.candidate.candidate) return; // end of candidates: not in protocol v1
      const c = ev.candidate.toJSON();
      if (this.#canSend) this.#send(c);
      else this.#outbox.push(c);
    });
  }

  // descriptionSent lets local candidates flow (the server now knows the
  // connection they belong to).
  descriptionSent() {
    this.#canSend = true;
    for (const c of this.#outbox.splice(0)) this.#send(c);
  }

  // remote adds a candidate from the server, or queues it.
  async remote(candidate) {
    if (!candidate) return;
    if (!this.pc.remoteDescription) {
      this.#inbox.push(candidate);
      return;
    }
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (err) {
      console.warn(`lectern: ${this.target} candidate rejected`, err);
    }
  }

  // remoteDescriptionSet flushes candidates that came too early.
  async remoteDescriptionSet() {
    for (const c of this.#inbox.splice(0)) await this.remote(c);
  }

  #send(candidate) {
    this.signal.send('trickle', { target: this.target, candidate });
  }
}
