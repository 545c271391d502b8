// Slides beside a replay (docs/classroom.md "Slides", docs/api.md): the
// lesson's slide timeline (GET /api/v1/lessons/{id}/slides) is followed as
// the recording plays, so the page shown is the one that was up at that
// moment of the lesson. Each deck is read through a signed link issued for
// the lesson (?lesson=), as in the room.
import { h } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { openPDF, renderPage } from './pdfview.js';

const enc = encodeURIComponent;

// slideAt returns the timeline entry in force at wall-clock time ms (Unix
// milliseconds), or null when no slides were up. events are oldest first,
// as the server lists them.
export function slideAt(events, ms) {
  let cur = null;
  for (const e of events) {
    if (Date.parse(e.at) > ms) break;
    cur = e;
  }
  return cur && cur.material_id ? cur : null;
}

// followSlides shows, under video, the slide of lessonId that was up at
// each moment of a recording that started at startedAt (RFC 3339). It
// resolves with the element, or null when the lesson presented no slides.
export async function followSlides(video, lessonId, startedAt) {
  let events;
  try {
    events = (await api('GET', `/api/v1/lessons/${enc(lessonId)}/slides`))?.events || [];
  } catch {
    return null;
  }
  if (!events.some((e) => e.material_id)) return null;
  const start = Date.parse(startedAt);
  const canvas = h('canvas', { class: 'pdf-page' });
  const box = h('div', { class: 'replay-slides', attrs: { 'data-replay-slides': lessonId, hidden: true } }, canvas);
  const docs = new Map(); // material id → promise of a pdf.js document
  let shown = '';
  let busy = Promise.resolve();
  const update = () => {
    const e = slideAt(events, start + video.currentTime * 1000);
    const key = e ? `${e.material_id}#${e.page}` : '';
    if (key === shown) return;
    shown = key;
    busy = busy.then(async () => {
      if (shown !== key) return; // overtaken while the previous one drew
      if (!e) {
        box.hidden = true;
        delete box.dataset.page;
        return;
      }
      if (!docs.has(e.material_id)) {
        docs.set(e.material_id, api('GET', `/api/v1/materials/${enc(e.material_id)}/link?lesson=${enc(lessonId)}`)
          .then((l) => openPDF(l.url)));
      }
      try {
        const doc = await docs.get(e.material_id);
        box.hidden = false;
        await renderPage(doc, Math.min(e.page, doc.numPages), canvas, Math.min(640, video.clientWidth || 640));
        box.dataset.material = e.material_id;
        box.dataset.page = String(e.page);
      } catch {
        docs.delete(e.material_id);
        shown = '';
      }
    });
  };
  video.addEventListener('timeupdate', update);
  video.addEventListener('seeked', update);
  update();
  return box;
}
