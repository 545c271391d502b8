// Slides (docs/classroom.md "Slides"): the teacher or an assistant presents
// a PDF of the course's materials and everyone sees the same page. The
// server keeps the deck and page (slides.state, and `slides` in the join
// snapshot, so a late joiner lands on the current page); moderators pick a
// deck, turn pages and point at the page (slides.pointer, rate-limited by
// the server, never stored). Each participant reads the PDF through a
// signed link the server issues for this lesson after its access check.
import { h, tr, clear } from '../../lib/dom.js';
import { api } from '../../lib/api.js';
import { addStrings } from '../../i18n.js';
import { openPDF, renderPage } from '../../pages/pdfview.js';

addStrings({
  en: {
    'panel.slides': 'Slides',
    'slides.none': 'No slides are being presented.',
    'slides.noDecks': 'This course has no PDF to present. Upload one on the course’s materials page.',
    'slides.choose': 'PDF to present',
    'slides.present': 'Present',
    'slides.close': 'Stop presenting',
    'slides.prev': 'Previous',
    'slides.next': 'Next',
    'slides.page': 'Page {page} of {pages}',
    'slides.pageOnly': 'Page {page}',
    'slides.cannotOpen': 'The slides cannot be shown.',
    'slides.pointerHint': 'Move the mouse over the page to point at it.',
  },
  'zh-CN': {
    'panel.slides': '课件',
    'slides.none': '目前没有在演示课件。',
    'slides.noDecks': '本课程还没有可演示的 PDF，请先在课程资料页上传。',
    'slides.choose': '要演示的 PDF',
    'slides.present': '开始演示',
    'slides.close': '停止演示',
    'slides.prev': '上一页',
    'slides.next': '下一页',
    'slides.page': '第 {page} 页，共 {pages} 页',
    'slides.pageOnly': '第 {page} 页',
    'slides.cannotOpen': '无法显示课件。',
    'slides.pointerHint': '在页面上移动鼠标即可指示位置。',
  },
});

const MODERATOR = new Set(['teacher', 'assistant']);
const POINTER_EVERY_MS = 100; // the server allows 20 moves a second
const POINTER_FADE_MS = 3000;
const enc = encodeURIComponent;

export function create(ctx) {
  let state = null; // the server's slide state, null when none
  let doc = null; // the open pdf.js document
  let docFor = ''; // material id doc was opened for
  let loading = null; // the promise opening a document
  let decks = null; // moderators: the course's PDFs, once listed
  let lastPointer = 0;
  let fadeTimer = 0;

  const note = h('p', { class: 'panel-note', i18n: 'slides.none', attrs: { id: 'slides-note' } });
  const select = h('select', { aria: 'slides.choose', attrs: { id: 'slides-deck' } });
  const presentBtn = h('button', {
    class: 'btn btn-primary btn-small', i18n: 'slides.present', attrs: { type: 'button', id: 'slides-open' },
    on: { click: () => select.value && ctx.act('slides.open', { materialId: select.value }) },
  });
  const chooser = h('div', { class: 'slides-chooser', attrs: { hidden: true } }, select, presentBtn);
  const prevBtn = h('button', {
    class: 'btn btn-small', i18n: 'slides.prev', attrs: { type: 'button', id: 'slides-prev' },
    on: { click: () => state && state.page > 1 && ctx.act('slides.page', { page: state.page - 1 }) },
  });
  const nextBtn = h('button', {
    class: 'btn btn-small', i18n: 'slides.next', attrs: { type: 'button', id: 'slides-next' },
    on: { click: () => state && (!pages() || state.page < pages()) && ctx.act('slides.page', { page: state.page + 1 }) },
  });
  const closeBtn = h('button', {
    class: 'btn btn-small btn-danger', i18n: 'slides.close', attrs: { type: 'button', id: 'slides-close' },
    on: { click: () => ctx.act('slides.close', {}) },
  });
  const modBar = h('div', { class: 'slides-bar', attrs: { hidden: true } }, prevBtn, nextBtn, closeBtn);
  const label = h('span', { class: 'muted', attrs: { id: 'slides-label' } });
  const canvas = h('canvas', { class: 'pdf-page' });
  const dot = h('span', { class: 'slides-pointer', attrs: { hidden: true, id: 'slides-pointer' } });
  const page = h('div', { class: 'slides-page' }, canvas, dot);
  const errorLine = h('p', { class: 'form-error', attrs: { role: 'alert', hidden: true } });
  const viewer = h('div', { class: 'slides-viewer', attrs: { id: 'slides-viewer', hidden: true } }, label, page, errorLine);
  const el = h('div', { class: 'panel-body slides' }, chooser, note, modBar, viewer);

  const isMod = () => MODERATOR.has(ctx.self()?.role);
  const pages = () => state?.pages || doc?.numPages || 0;

  canvas.addEventListener('mousemove', (e) => {
    if (!isMod() || !state) return;
    const now = Date.now();
    if (now - lastPointer < POINTER_EVERY_MS) return;
    lastPointer = now;
    const r = canvas.getBoundingClientRect();
    if (!r.width || !r.height) return;
    const x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    const y = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
    ctx.send('slides.pointer', { x, y });
  });
  canvas.addEventListener('mouseleave', () => { if (isMod() && state) ctx.send('slides.pointer', { hide: true }); });

  async function loadDecks() {
    if (decks || !isMod()) return;
    decks = [];
    try {
      const lesson = await api('GET', `/api/v1/lessons/${enc(ctx.lessonId())}`);
      const list = await api('GET', `/api/v1/courses/${enc(lesson.course_id)}/materials`);
      decks = (list?.materials || []).filter((m) => m.kind === 'pdf' && (!m.lesson_id || m.lesson_id === ctx.lessonId()));
    } catch {
      decks = [];
    }
    clear(select);
    for (const m of decks) select.append(h('option', { text: m.name, attrs: { value: m.id } }));
    render();
  }

  async function show() {
    const s = state;
    if (!s) return;
    try {
      if (docFor !== s.materialId) {
        docFor = s.materialId;
        doc = null;
        loading = (async () => {
          const link = await api('GET', `/api/v1/materials/${enc(s.materialId)}/link?lesson=${enc(ctx.lessonId())}`);
          return openPDF(link.url);
        })();
      }
      const d = await loading;
      if (state !== s) return; // a newer state took over while loading
      doc = d;
      const n = Math.min(s.page, d.numPages);
      await renderPage(d, n, canvas, Math.max(240, (viewer.clientWidth || 320) - 8));
      if (state !== s) return;
      errorLine.hidden = true;
      viewer.dataset.material = s.materialId;
      viewer.dataset.page = String(s.page);
      render();
    } catch (err) {
      if (state !== s) return;
      docFor = '';
      viewer.dataset.error = 'true';
      errorLine.replaceChildren(h('span', { i18n: 'slides.cannotOpen' }), h('span', { class: 'form-error-detail', text: ` (${err?.message || err})` }));
      errorLine.hidden = false;
    }
  }

  function render() {
    const mod = isMod();
    chooser.hidden = !mod || !decks?.length;
    modBar.hidden = !mod || !state;
    viewer.hidden = !state;
    note.hidden = !!state && !!viewer.dataset.page;
    if (!state) tr(note, mod && decks && !decks.length ? 'slides.noDecks' : 'slides.none');
    if (state) {
      const n = pages();
      tr(label, n ? 'slides.page' : 'slides.pageOnly', { page: state.page, pages: n });
      prevBtn.disabled = state.page <= 1;
      nextBtn.disabled = !!n && state.page >= n;
    }
  }

  function setState(s) {
    state = s || null;
    if (!state) {
      delete viewer.dataset.page;
      delete viewer.dataset.material;
      dot.hidden = true;
    }
    render();
    if (state) show();
  }

  function point(p) {
    if (p.hide || !state) {
      dot.hidden = true;
      return;
    }
    dot.style.left = `${p.x * 100}%`;
    dot.style.top = `${p.y * 100}%`;
    dot.hidden = false;
    clearTimeout(fadeTimer);
    fadeTimer = setTimeout(() => { dot.hidden = true; }, POINTER_FADE_MS);
  }

  return {
    id: 'slides',
    titleKey: 'panel.slides',
    el,
    onJoined() { loadDecks(); },
    onEvent(type, p) {
      if (type === 'lesson.snapshot') setState(p.slides);
      else if (type === 'slides.state') setState(p.slides);
      else if (type === 'slides.pointer') point(p);
    },
    destroy() { clearTimeout(fadeTimer); doc?.destroy?.(); },
  };
}
