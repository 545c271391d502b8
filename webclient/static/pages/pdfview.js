// An in-page PDF reader on pdf.js (pdfjs-dist 4.10.38, vendored): page by
// page on a canvas, with previous/next and the page count. A PDF pdf.js
// cannot open shows pdf.js's reason instead of a blank area.
import { h } from '../lib/dom.js';
import { addStrings } from '../i18n.js';
import * as pdfjs from '../vendor/pdfjs/pdf.min.mjs';

pdfjs.GlobalWorkerOptions.workerSrc = new URL('../vendor/pdfjs/pdf.worker.min.mjs', import.meta.url).href;

addStrings({
  en: {
    'pdf.prev': 'Previous page',
    'pdf.next': 'Next page',
    'pdf.page': 'Page {page} of {pages}',
    'pdf.cannotOpen': 'This PDF cannot be opened.',
  },
  'zh-CN': {
    'pdf.prev': '上一页',
    'pdf.next': '下一页',
    'pdf.page': '第 {page} 页，共 {pages} 页',
    'pdf.cannotOpen': '无法打开此 PDF。',
  },
});

// openPDF loads the document at url (a signed material link).
export function openPDF(url) {
  return pdfjs.getDocument({ url, isEvalSupported: false, enableXfa: false }).promise;
}

// renderPage draws page n of doc on canvas at the given CSS width.
export async function renderPage(doc, n, canvas, width) {
  const page = await doc.getPage(n);
  const base = page.getViewport({ scale: 1 });
  const scale = (width / base.width) * (window.devicePixelRatio || 1);
  const vp = page.getViewport({ scale });
  canvas.width = Math.floor(vp.width);
  canvas.height = Math.floor(vp.height);
  canvas.style.width = `${width}px`;
  await page.render({ canvasContext: canvas.getContext('2d'), viewport: vp }).promise;
}

// pdfViewer returns an element showing the PDF at url.
export async function pdfViewer(url, material) {
  const canvas = h('canvas', { class: 'pdf-page', attrs: { 'data-pdf-canvas': material.id } });
  const label = h('span', { class: 'muted', attrs: { 'data-pdf-page': '' } });
  const box = h('div', { class: 'pdf-viewer', attrs: { 'data-pdf': material.id } });
  let doc;
  try {
    doc = await openPDF(url);
  } catch (err) {
    box.dataset.error = 'true';
    box.append(h('p', { class: 'form-error' }, h('span', { i18n: 'pdf.cannotOpen' }),
      h('span', { class: 'form-error-detail', text: ` (${err?.message || err})` })));
    return box;
  }
  let page = 1;
  const show = async () => {
    label.replaceChildren(h('span', { i18n: 'pdf.page', vars: { page, pages: doc.numPages } }));
    await renderPage(doc, page, canvas, Math.min(900, box.clientWidth || 900));
    box.dataset.page = String(page);
  };
  const prev = h('button', { class: 'btn btn-small', i18n: 'pdf.prev', attrs: { type: 'button', 'data-pdf-prev': '' }, on: { click: () => { if (page > 1) { page--; show(); } } } });
  const next = h('button', { class: 'btn btn-small', i18n: 'pdf.next', attrs: { type: 'button', 'data-pdf-next': '' }, on: { click: () => { if (page < doc.numPages) { page++; show(); } } } });
  box.append(h('div', { class: 'pdf-bar' }, prev, label, next), canvas);
  box.dataset.pages = String(doc.numPages);
  queueMicrotask(show);
  return box;
}
