// The side panel: tabs over the classroom panels, and the dispatch of every
// server message to every panel.
//
// Each module here exports `create(ctx)` and returns a panel:
//
// ```js
// {
//   id: 'chat',                 // stable id, used in DOM ids and tests
//   titleKey: 'panel.chat',     // i18n key of the tab title (side panels only)
//   el: HTMLElement,            // the panel's root
//   onJoined(joined) {},        // the `joined` payload, after every (re)join
//   onEvent(type, payload) {},  // every server message (protocol.md / classroom.md)
//   destroy() {},
// }
// ```
//
// `ctx` is `{ request(type, payload), send(type, payload), self(), participants(), t }`:
// `request` resolves with the reply or rejects with a `SignalError`;
// `self()` is this participant (`joined.participant`), `participants()` a
// `Map` id → participant kept by the room. The stage strip also uses
// `attachVideo(box, video, item)` (adaptive stream, quality overlays and
// speakers for a tile; item null when it goes) and `layoutChanged()`.
//
// User text (names, chat, questions, poll options) is set with `textContent`
// only — use `h(tag, {text})` from `lib/dom.js`.
//
// Side panels (tabs): participants, chat, qa, polls, slides. `hands` renders into the
// control bar (raise / lower, and the queue for moderators). `stagestrip` is
// the row of small videos under the stage (people on stage).
import { h } from '../../lib/dom.js';
import * as participants from './participants.js';
import * as chat from './chat.js';
import * as qa from './qa.js';
import * as polls from './polls.js';
import * as hands from './hands.js';
import * as stagestrip from './stagestrip.js';
import * as slides from './slides.js';

export const SIDE_PANELS = [participants, chat, qa, polls, slides];

export class Panels {
  constructor(ctx) {
    this.side = SIDE_PANELS.map((m) => m.create(ctx));
    this.hands = hands.create(ctx);
    this.strip = stagestrip.create(ctx);
    this.all = [...this.side, this.hands, this.strip];

    this.tabs = h('div', { class: 'tabs', attrs: { role: 'tablist' } });
    this.bodies = h('div', { class: 'tab-bodies' });
    for (const p of this.side) {
      const tab = h('button', {
        class: 'tab', i18n: p.titleKey,
        attrs: { role: 'tab', type: 'button', id: `tab-${p.id}`, 'aria-controls': `panel-${p.id}` },
        on: { click: () => this.select(p.id) },
      });
      this.tabs.append(tab);
      p.el.id = `panel-${p.id}`;
      p.el.setAttribute('role', 'tabpanel');
      this.bodies.append(p.el);
    }
    this.el = h('aside', { class: 'side', aria: 'panel.label' }, this.tabs, this.bodies);
    this.select(this.side[0].id);
  }

  select(id) {
    for (const p of this.side) {
      const on = p.id === id;
      p.el.hidden = !on;
      const tab = this.tabs.querySelector(`#tab-${p.id}`);
      tab.setAttribute('aria-selected', String(on));
      tab.classList.toggle('active', on);
    }
  }

  onJoined(joined) { for (const p of this.all) p.onJoined(joined); }
  onEvent(type, payload) {
    for (const p of this.all) p.onEvent(type, payload);
    // A deck the teacher puts up comes to the front once (slides.js); page
    // turns leave the tab the participant chose.
    if (type === 'slides.state' || type === 'lesson.snapshot') {
      const deck = payload?.slides?.materialId || '';
      if (deck && deck !== this.deck) this.select('slides');
      this.deck = deck;
    }
  }
  destroy() { for (const p of this.all) p.destroy(); }
}

