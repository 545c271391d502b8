// A course's materials (docs/api.md "Materials"): the teacher uploads
// files with tus (resumable: a cut connection resumes where it stopped)
// and manages them; members open videos, PDFs and images in the page and
// download files the teacher allows. Every file is fetched through a
// short-lived signed link the server issues after its access check.
import { h, clear } from '../lib/dom.js';
import { topbar } from '../lib/shell.js';
import { api, currentAccount, putBytes } from '../lib/api.js';
import { addStrings, lang, t } from '../i18n.js';
import '../vendor/tus/tus.min.js'; // tus-js-client 4.3.1 (UMD): sets window.tus
import { attachHls } from '../room/hlsplayer.js';

const enc = encodeURIComponent;

addStrings({
  en: {
    'materials.title': 'Materials',
    'materials.back': 'Back to the course',
    'materials.upload': 'Upload files',
    'materials.lesson': 'For',
    'materials.courseWide': 'The whole course',
    'materials.downloadable': 'Students may download',
    'materials.none': 'No materials yet.',
    'materials.usage': '{used} of {quota} used',
    'materials.pause': 'Pause',
    'materials.resume': 'Resume',
    'materials.done': 'Uploaded',
    'materials.duplicate': 'Already uploaded as “{name}”',
    'materials.failed': 'Upload failed',
    'materials.open': 'Open',
    'materials.download': 'Download',
    'materials.delete': 'Delete',
    'materials.confirmDelete': 'Delete “{name}”?',
    'materials.pages': '{n} pages',
    'materials.status.processing': 'Processing {progress}%',
    'materials.status.failed': 'Processing failed',
    'materials.status.ready': 'Ready',
    'materials.review.pending': 'Waiting for review: students do not see it yet',
    'materials.review.rejected': 'Not approved: {reason}',
    'materials.kind.video': 'Video',
    'materials.kind.pdf': 'PDF',
    'materials.kind.image': 'Image',
    'materials.kind.audio': 'Audio',
    'materials.kind.document': 'File',
    'materials.err.empty_file': 'The file is empty.',
    'materials.err.file_too_large': 'The file is larger than the size limit.',
    'materials.err.quota_exceeded': 'The course’s storage quota would be exceeded.',
    'materials.err.bad_name': 'The file name is not allowed.',
    'materials.err.type_mismatch': 'The file’s extension does not match its content.',
    'materials.err.unsupported_type': 'This type of file cannot be a material.',
    'materials.err.payment_required': 'Buy the course to open its materials.',
    'materials.err.not_a_member': 'Enrol in the course to see its materials.',
    'materials.err.banned': 'You were removed from this lesson: its materials are closed to you.',
    'materials.err.download_not_allowed': 'The teacher does not allow downloading this file.',
    'materials.err.other': 'Something went wrong.',
  },
  'zh-CN': {
    'materials.title': '课程资料',
    'materials.back': '返回课程',
    'materials.upload': '上传文件',
    'materials.lesson': '所属',
    'materials.courseWide': '整个课程',
    'materials.downloadable': '允许学生下载',
    'materials.none': '还没有资料。',
    'materials.usage': '已用 {used}，共 {quota}',
    'materials.pause': '暂停',
    'materials.resume': '继续',
    'materials.done': '已上传',
    'materials.duplicate': '已上传过，名为“{name}”',
    'materials.failed': '上传失败',
    'materials.open': '打开',
    'materials.download': '下载',
    'materials.delete': '删除',
    'materials.confirmDelete': '删除“{name}”？',
    'materials.pages': '{n} 页',
    'materials.status.processing': '处理中 {progress}%',
    'materials.status.failed': '处理失败',
    'materials.status.ready': '就绪',
    'materials.review.pending': '等待审核：学员暂时看不到',
    'materials.review.rejected': '未通过审核：{reason}',
    'materials.kind.video': '视频',
    'materials.kind.pdf': 'PDF',
    'materials.kind.image': '图片',
    'materials.kind.audio': '音频',
    'materials.kind.document': '文件',
    'materials.err.empty_file': '文件是空的。',
    'materials.err.file_too_large': '文件超过大小上限。',
    'materials.err.quota_exceeded': '会超出本课程的存储配额。',
    'materials.err.bad_name': '文件名不允许。',
    'materials.err.type_mismatch': '文件扩展名与内容不符。',
    'materials.err.unsupported_type': '这种类型的文件不能作为资料。',
    'materials.err.payment_required': '购买课程后才能打开资料。',
    'materials.err.not_a_member': '加入课程后才能查看资料。',
    'materials.err.banned': '你已被移出本节课，无法打开本节课的资料。',
    'materials.err.download_not_allowed': '老师不允许下载此文件。',
    'materials.err.other': '出错了。',
  },
});

// size formats bytes for people.
export function size(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${new Intl.NumberFormat(lang(), { maximumFractionDigits: i ? 1 : 0 }).format(n)} ${units[i]}`;
}

// errorText is the UI text of a server error ({code, message} in JSON,
// which tus errors carry as their body too), with the server's detail.
function errorLine(code, message) {
  const known = code && t(`materials.err.${code}`) !== `materials.err.${code}`;
  return h('span', { class: 'form-error' },
    h('span', { i18n: known ? `materials.err.${code}` : 'materials.err.other' }),
    message ? h('span', { class: 'form-error-detail', text: ` (${message})` }) : null);
}

function tusErrorBody(err) {
  try {
    return JSON.parse(err?.originalResponse?.getBody() || '');
  } catch {
    return { message: String(err?.message || err) };
  }
}

// makeThumbnail renders a PDF's first page in this browser (the server
// has no PDF renderer) and stores it as the material's thumbnail.
async function makeThumbnail(m) {
  const { openPDF, renderPage } = await import('./pdfview.js');
  const doc = await openPDF(await materialLink(m.id));
  const canvas = document.createElement('canvas');
  await renderPage(doc, 1, canvas, 240);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  await putBytes(`/api/v1/materials/${enc(m.id)}/thumbnail`, blob);
}

// link asks for a signed URL of a material.
export async function materialLink(id, download = false) {
  const d = await api('GET', `/api/v1/materials/${enc(id)}/link${download ? '?download=1' : ''}`);
  return d.url;
}

// playVideo shows a video material in video: its HLS renditions through
// hls.js (the live fallback's player) once processing made them, else the
// uploaded file with range requests. It returns a function that stops it.
async function playVideo(video, id) {
  const d = await api('GET', `/api/v1/materials/${enc(id)}/link`);
  if (d.hls_url) {
    video.dataset.player = 'hls';
    return attachHls(video, d.hls_url, { live: false, onError: () => { video.dataset.player = 'file'; video.src = d.url; } });
  }
  video.dataset.player = 'file';
  video.src = d.url;
  return () => { video.removeAttribute('src'); video.load(); };
}

export async function mountMaterials(root, courseId) {
  const main = h('main', { class: 'page' });
  root.append(topbar(), main);
  let course;
  try {
    [course] = await Promise.all([api('GET', `/api/v1/courses/${enc(courseId)}`), currentAccount()]);
  } catch (err) {
    main.append(errorLine(err?.code, err?.message));
    return;
  }
  document.title = `${course.title} · ${t('materials.title')}`;
  const lessons = (await api('GET', `/api/v1/courses/${enc(courseId)}/lessons`).catch(() => ({ lessons: [] })))?.lessons || [];
  const lessonTitle = (id) => lessons.find((l) => l.id === id)?.title || '';
  const list = h('ul', { class: 'lessons materials', attrs: { id: 'materials-list' } });
  const usage = h('p', { class: 'muted', attrs: { id: 'materials-usage' } });
  const viewer = h('div', { class: 'material-viewer', attrs: { id: 'material-viewer' } });
  const uploads = h('div', { class: 'uploads', attrs: { id: 'uploads' } });
  const status = h('p', { attrs: { role: 'alert' } });
  main.append(
    h('div', { class: 'page-head' },
      h('h1', { text: course.title }),
      h('a', { class: 'btn', i18n: 'materials.back', attrs: { href: `/courses/${enc(courseId)}` } })),
    h('h2', { i18n: 'materials.title' }), status, usage);

  let canEdit = false;
  async function load() {
    let data;
    try {
      data = await api('GET', `/api/v1/courses/${enc(courseId)}/materials`);
    } catch (err) {
      status.replaceChildren(errorLine(err?.code, err?.message));
      return;
    }
    canEdit = data.can_edit;
    usage.replaceChildren(h('span', { i18n: 'materials.usage', vars: { used: size(data.used), quota: size(data.quota) } }));
    clear(list);
    for (const m of data.materials) list.append(row(m));
    if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'materials.none' }));
    if (canEdit && !uploadForm.isConnected) usage.after(uploadForm, uploads);
    const busy = data.materials.some((m) => m.status === 'processing');
    if (busy) setTimeout(load, 3000); // processing progress
  }

  function row(m) {
    const err = h('span');
    const actions = h('span', { class: 'material-actions' });
    const open = h('button', {
      class: 'btn btn-small btn-primary', i18n: 'materials.open', attrs: { type: 'button', 'data-open': m.id },
      on: { click: () => show(m, err) },
    });
    actions.append(open);
    if (m.downloadable || canEdit) {
      actions.append(h('button', {
        class: 'btn btn-small', i18n: 'materials.download', attrs: { type: 'button', 'data-download': m.id },
        on: {
          click: async () => {
            try { location.assign(await materialLink(m.id, true)); } catch (e) { err.replaceChildren(errorLine(e.code, e.message)); }
          },
        },
      }));
    }
    if (canEdit) {
      const dl = h('input', { attrs: { type: 'checkbox', 'data-downloadable': m.id, checked: m.downloadable } });
      dl.addEventListener('change', async () => {
        try { await api('PATCH', `/api/v1/materials/${enc(m.id)}`, { downloadable: dl.checked }); } catch (e) {
          dl.checked = !dl.checked;
          err.replaceChildren(errorLine(e.code, e.message));
        }
      });
      actions.append(h('label', { class: 'check' }, dl, h('span', { i18n: 'materials.downloadable' })),
        h('button', {
          class: 'btn btn-small btn-danger', i18n: 'materials.delete', attrs: { type: 'button', 'data-delete': m.id },
          on: {
            click: async () => {
              if (!confirm(t('materials.confirmDelete', { name: m.name }))) return;
              try { await api('DELETE', `/api/v1/materials/${enc(m.id)}`); load(); } catch (e) { err.replaceChildren(errorLine(e.code, e.message)); }
            },
          },
        }));
    }
    const st = m.status === 'processing'
      ? h('span', { class: 'badge', i18n: 'materials.status.processing', vars: { progress: m.progress || 0 } })
      : m.status === 'failed' ? h('span', { class: 'badge status-failed', i18n: 'materials.status.failed', attrs: { title: m.detail || '' } }) : null;
    const thumb = m.kind === 'pdf' ? h('img', {
      class: 'material-thumb', attrs: { src: `/api/v1/materials/${enc(m.id)}/thumbnail`, alt: '', loading: 'lazy', width: 60 },
      on: { error: (e) => e.target.remove() },
    }) : null;
    const review = m.review === 'pending' ? h('span', { class: 'badge', i18n: 'materials.review.pending' })
      : m.review === 'rejected' ? h('span', { class: 'badge status-failed', i18n: 'materials.review.rejected', vars: { reason: m.review_note || '' } }) : null;
    return h('li', { class: 'lesson-row material-row', attrs: { 'data-material': m.id, 'data-kind': m.kind, 'data-status': m.status, 'data-review': m.review || 'approved' } },
      thumb,
      h('div', { class: 'lesson-main' },
        h('strong', { text: m.name }),
        h('span', { class: 'muted' }, h('span', { i18n: `materials.kind.${m.kind}` }), ` · ${size(m.size)}`,
          m.pages ? h('span', {}, ' · ', h('span', { i18n: 'materials.pages', vars: { n: m.pages } })) : null,
          ' · ', m.lesson_id ? h('span', { text: lessonTitle(m.lesson_id) }) : h('span', { i18n: 'materials.courseWide' })),
        m.status === 'failed' && m.detail ? h('span', { class: 'form-error-detail', text: m.detail }) : null),
      review, st, actions, err);
  }

  // show opens a material in the page.
  let stopVideo = null;
  async function show(m, err) {
    stopVideo?.();
    stopVideo = null;
    if (m.kind === 'video') {
      const video = h('video', { attrs: { controls: true, playsinline: true, preload: 'metadata', 'data-video': m.id } });
      try { stopVideo = await playVideo(video, m.id); } catch (e) { err.replaceChildren(errorLine(e.code, e.message)); return; }
      clear(viewer);
      viewer.append(video);
      viewer.scrollIntoView({ block: 'nearest' });
      return;
    }
    let url;
    try { url = await materialLink(m.id); } catch (e) { err.replaceChildren(errorLine(e.code, e.message)); return; }
    clear(viewer);
    if (m.kind === 'audio') {
      viewer.append(h('audio', { attrs: { src: url, controls: true } }));
    } else if (m.kind === 'image') {
      viewer.append(h('img', { attrs: { src: url, alt: m.name } }));
    } else if (m.kind === 'pdf') {
      const { pdfViewer } = await import('./pdfview.js');
      viewer.append(await pdfViewer(url, m));
    } else {
      viewer.append(h('a', { text: m.name, attrs: { href: url } }));
    }
    viewer.scrollIntoView({ block: 'nearest' });
  }

  // The teacher's upload form.
  const fileInput = h('input', { attrs: { type: 'file', multiple: true, id: 'materials-file' } });
  const lessonSel = h('select', { attrs: { id: 'materials-lesson' } }, h('option', { i18n: 'materials.courseWide', attrs: { value: '' } }),
    ...lessons.map((l) => h('option', { text: l.title, attrs: { value: l.id } })));
  const dlBox = h('input', { attrs: { type: 'checkbox', id: 'materials-downloadable' } });
  const uploadForm = h('form', { class: 'card form upload-form', attrs: { id: 'materials-upload' } },
    h('label', {}, h('span', { i18n: 'materials.upload' }), fileInput),
    h('label', {}, h('span', { i18n: 'materials.lesson' }), lessonSel),
    h('label', { class: 'check' }, dlBox, h('span', { i18n: 'materials.downloadable' })));
  fileInput.addEventListener('change', async () => {
    const csrf = (await api('GET', '/api/v1/session'))?.csrf_token || '';
    for (const f of fileInput.files) uploads.append(startUpload(f, csrf));
    fileInput.value = '';
  });

  function startUpload(file, csrf) {
    const bar = h('progress', { attrs: { max: 100, value: 0 } });
    const pct = h('span', { class: 'muted', text: '0%' });
    const msg = h('span');
    const toggle = h('button', { class: 'btn btn-small', i18n: 'materials.pause', attrs: { type: 'button' } });
    const el = h('div', { class: 'upload-row', attrs: { 'data-upload': file.name } }, h('strong', { text: file.name }), bar, pct, toggle, msg);
    const up = new window.tus.Upload(file, {
      endpoint: '/api/v1/uploads/',
      chunkSize: 16 << 20,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      removeFingerprintOnSuccess: true,
      headers: { 'X-CSRF-Token': csrf },
      metadata: { course_id: courseId, lesson_id: lessonSel.value, filename: file.name, downloadable: String(dlBox.checked) },
      onShouldRetry: (err) => {
        const s = err?.originalResponse?.getStatus?.() || 0;
        return s === 0 || s === 423 || s >= 500; // network cuts and locks, never a refusal
      },
      onProgress: (sent, total) => {
        const p = total ? Math.floor((sent / total) * 100) : 0;
        bar.value = p;
        pct.textContent = `${p}%`;
      },
      onSuccess: (payload) => {
        toggle.remove();
        bar.value = 100;
        pct.textContent = '100%';
        let body = {};
        try { body = JSON.parse(payload?.lastResponse?.getBody() || '{}'); } catch { /* keep {} */ }
        msg.replaceChildren(body.duplicate
          ? h('span', { i18n: 'materials.duplicate', vars: { name: body.material?.name || '' } })
          : h('span', { class: 'ok', i18n: 'materials.done' }));
        el.dataset.done = body.duplicate ? 'duplicate' : 'done';
        load();
        if (body.material?.kind === 'pdf' && !body.duplicate) {
          makeThumbnail(body.material).then(load).catch((e) => console.warn('lectern: PDF thumbnail:', e));
        }
      },
      onError: (err) => {
        toggle.remove();
        const body = tusErrorBody(err);
        el.dataset.done = 'error';
        msg.replaceChildren(h('span', { i18n: 'materials.failed' }), ' ', errorLine(body.code, body.message));
      },
    });
    let paused = false;
    toggle.addEventListener('click', () => {
      paused = !paused;
      if (paused) up.abort(); else up.start();
      toggle.dataset.i18n = paused ? 'materials.resume' : 'materials.pause';
      toggle.textContent = t(toggle.dataset.i18n);
    });
    up.findPreviousUploads().then((prev) => {
      if (prev.length) up.resumeFromPreviousUpload(prev[0]);
      up.start();
    });
    return el;
  }

  main.append(list, viewer);
  await load();
}

