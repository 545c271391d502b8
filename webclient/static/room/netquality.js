// The connection-quality indicator in the room bar, from the server's
// `subscriber.stats` (docs/protocol.md): good / fair / poor from loss and
// round-trip time, three bars, and a tooltip with the bandwidth estimate,
// loss and RTT. Hidden until the first figures arrive (a teacher who only
// publishes receives none).
import { h } from '../lib/dom.js';
import { t, onLangChange } from '../i18n.js';

// gradeLink uses the thresholds the server uses for the participant list
// (signaling/quality.go).
export function gradeLink({ loss = 0, rttMs = 0 } = {}) {
  if (loss > 0.10 || rttMs > 400) return 'poor';
  if (loss > 0.02 || rttMs > 150) return 'fair';
  return 'good';
}

export function formatBitrate(bps) {
  if (!(bps > 0)) return '–';
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbps`;
  return `${Math.round(bps / 1e3)} kbps`;
}

export class NetQuality {
  #stats = null;

  constructor() {
    this.label = h('span', { class: 'netq-label' });
    this.bars = h('span', { class: 'netq-bars', attrs: { 'aria-hidden': 'true' } },
      h('span', { class: 'netq-bar' }), h('span', { class: 'netq-bar' }), h('span', { class: 'netq-bar' }));
    this.el = h('span', {
      class: 'netq', attrs: { id: 'net-quality', hidden: true, role: 'img', tabindex: '0' },
    }, this.bars, this.label);
    onLangChange(() => this.#render());
  }

  // update shows one subscriber.stats payload.
  update(stats) {
    this.#stats = stats || null;
    this.#render();
  }

  reset() { this.update(null); }

  #render() {
    const s = this.#stats;
    this.el.hidden = !s;
    if (!s) return;
    const grade = gradeLink(s);
    this.el.dataset.quality = grade;
    const name = t(`net.${grade}`);
    this.label.textContent = name;
    const detail = t('net.detail', {
      estimate: formatBitrate(s.estimate),
      loss: `${((Number(s.loss) || 0) * 100).toFixed(1)}%`,
      rtt: Math.round(Number(s.rttMs) || 0),
    });
    const summary = t('net.summary', { quality: name });
    this.el.title = `${summary}\n${detail}`;
    this.el.setAttribute('aria-label', `${summary}. ${detail}`);
  }
}
