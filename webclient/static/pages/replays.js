// Replays of a lesson on the course page (docs/recording.md): the
// recordings the server lists for the signed-in user, each playable with
// hls.js, with download, unpublish and delete where the server allows
// them; and, for the teacher, the lesson's RTMP server and stream key.
import { h } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { showAPIError } from '../lib/shell.js';
import { t } from '../i18n.js';
import { attachHls } from '../room/hlsplayer.js';
import { followSlides } from './replayslides.js';

const enc = encodeURIComponent;

// replays returns a block that lists lesson's recordings; manage shows the
// teacher's buttons.
export function replays(lesson, { manage = false } = {}) {
  const list = h('div', { class: 'replays', attrs: { 'data-replays': lesson.id } });
  list.errorLine = h('div', { class: 'form-error', attrs: { role: 'alert' } });
  load(list, lesson, manage);
  return list;
}

async function load(list, lesson, manage) {
  let data;
  try {
    data = await api('GET', `/api/v1/lessons/${enc(lesson.id)}/recordings`);
  } catch {
    list.remove(); // not entitled: the server said no
    return;
  }
  list.replaceChildren(h('strong', { i18n: 'replay.title' }), list.errorLine);
  const recs = data?.recordings || [];
  if (!recs.length) list.append(h('span', { class: 'muted', i18n: 'replay.none' }));
  for (const r of recs) list.append(item(list, lesson, r, manage));
}

function item(list, lesson, r, manage) {
  const mins = Math.max(1, Math.round((r.duration_ms || 0) / 60000));
  const row = h('div', { class: 'replay', attrs: { 'data-recording': r.id } },
    h('span', { i18n: 'replay.duration', vars: { min: mins } }),
    r.state === 'recording' ? h('span', { class: 'badge', i18n: 'replay.recording' }) : null,
    r.truncated ? h('span', { class: 'badge', i18n: 'replay.truncated', attrs: { 'data-truncated': r.id } }) : null,
    r.published ? null : h('span', { class: 'badge', i18n: 'replay.hidden' }));
  let stop = null;
  if (r.playlist_url && r.state !== 'recording') {
    const video = h('video', { class: 'replay-video', attrs: { controls: true, playsinline: true, hidden: true, 'data-replay-video': r.id } });
    const play = h('button', {
      class: 'btn btn-small btn-primary', attrs: { type: 'button', 'data-play': r.id },
      on: {
        click: async () => {
          video.hidden = false;
          stop?.();
          stop = await attachHls(video, r.playlist_url, { live: false });
          video.play?.().catch(() => {});
          if (!row.querySelector('[data-replay-slides]')) {
            const slides = await followSlides(video, lesson.id, r.started_at);
            if (slides) row.append(slides);
          }
        },
      },
    }, h('span', { i18n: 'replay.play' }));
    row.append(play, video);
  }
  if (r.download_url) row.append(h('a', { class: 'btn btn-small', i18n: 'replay.download', attrs: { href: r.download_url, download: '' } }));
  if (manage && r.state !== 'recording') {
    const base = `/api/v1/lessons/${enc(lesson.id)}/recordings/${enc(r.id)}`;
    row.append(
      h('button', {
        class: 'btn btn-small', attrs: { type: 'button', 'data-publish': r.id },
        i18n: r.published ? 'replay.unpublish' : 'replay.publish',
        on: { click: async () => { try { await api('PATCH', base, { published: !r.published }); load(list, lesson, manage); } catch (err) { showAPIError(list.errorLine, err); } } },
      }),
      h('button', {
        class: 'btn btn-small btn-danger', attrs: { type: 'button', 'data-delete': r.id }, i18n: 'replay.delete',
        on: {
          click: async () => {
            if (!confirm(t('replay.confirmDelete'))) return;
            try { await api('DELETE', base); stop?.(); load(list, lesson, manage); } catch (err) { showAPIError(list.errorLine, err); }
          },
        },
      }));
  }
  return row;
}

// streamKey is the teacher's "Go live from OBS" block: shows the RTMP
// server and stream key on demand.
export function streamKey(lesson) {
  const out = h('div', { class: 'rtmp-key', attrs: { hidden: true } });
  const errorLine = h('div', { class: 'form-error', attrs: { role: 'alert' } });
  const btn = h('button', {
    class: 'btn btn-small', attrs: { type: 'button', 'data-stream-key': lesson.id }, i18n: 'rtmp.show',
    on: {
      click: async () => {
        try {
          const k = await api('GET', `/api/v1/lessons/${enc(lesson.id)}/stream-key`);
          out.replaceChildren(
            h('strong', { i18n: 'rtmp.title' }),
            h('div', {}, h('span', { i18n: 'rtmp.server' }), ': ', h('code', { text: k.server })),
            h('div', {}, h('span', { i18n: 'rtmp.key' }), ': ', h('code', { text: k.key })));
          out.hidden = false;
          btn.hidden = true;
        } catch (err) { showAPIError(errorLine, err); }
      },
    },
  });
  return h('div', { class: 'rtmp' }, btn, out, errorLine);
}


// recordingSettings is the teacher's switch for recording the course's
// lessons and letting students download them.
export function recordingSettings(course) {
  const errorLine = h('div', { class: 'form-error', attrs: { role: 'alert' } });
  const box = (id, key) => {
    const input = h('input', { attrs: { type: 'checkbox', id } });
    return { input, label: h('label', { class: 'field-inline' }, input, ' ', h('span', { i18n: key })) };
  };
  const rec = box('recording-record', 'recording.record');
  const dl = box('recording-download', 'recording.studentDownload');
  const base = `/api/v1/courses/${enc(course.id)}/recording-settings`;
  const save = async () => {
    try {
      const s = await api('PUT', base, { record: rec.input.checked, student_download: dl.input.checked });
      rec.input.checked = s.record;
      dl.input.checked = s.student_download;
      errorLine.replaceChildren();
    } catch (err) { showAPIError(errorLine, err); }
  };
  rec.input.addEventListener('change', save);
  dl.input.addEventListener('change', save);
  api('GET', base).then((s) => {
    rec.input.checked = !!s?.record;
    dl.input.checked = !!s?.student_download;
  }).catch((err) => showAPIError(errorLine, err));
  return h('div', { class: 'card recording-settings', attrs: { id: 'recording-settings' } },
    h('h3', { i18n: 'recording.settings' }), rec.label, dl.label, errorLine);
}
