// Polls (docs/classroom.md): the teacher creates a poll (single, multiple,
// yes/no or free text; anonymous; a quiz with a correct answer; a timer)
// and closes it; students vote and may change their vote until it closes;
// moderators see live counts; everyone sees the results on close. The
// teacher gets a CSV link per result. Poll text is set with textContent.
import { h, tr, clear, icon } from '../../lib/dom.js';
import { PollForm } from './pollform.js';

const MODERATOR = new Set(['teacher', 'assistant']);
const YESNO_KEYS = ['poll.yes', 'poll.no', 'poll.abstain'];

export function create(ctx) {
  const role = () => ctx.self()?.role;
  const isTeacher = () => role() === 'teacher';
  const isMod = () => MODERATOR.has(role());
  const isStudent = () => role() === 'student';

  const form = new PollForm({ act: (type, p) => ctx.act(type, p) });
  const openList = h('div', { class: 'poll-list', attrs: { id: 'poll-open' } });
  const resultList = h('div', { class: 'poll-list', attrs: { id: 'poll-results' } });
  const resultsHead = h('h3', { class: 'panel-subtitle', i18n: 'poll.results', attrs: { hidden: true } });
  const empty = h('p', { class: 'panel-note', i18n: 'poll.empty' });
  const el = h('div', { class: 'panel-body polls' }, form.el, empty, openList, resultsHead, resultList);

  const polls = new Map(); // id → {info, counts, myVote, editing, draft, results}
  const cards = new Map(); // id → element
  let timer = 0;

  function optionLabel(p, i) {
    if (p.kind === 'yesno') return h('span', { i18n: YESNO_KEYS[i] || '' });
    return h('span', { text: p.options?.[i] ?? '' });
  }

  function draftOf(st) {
    if (!st.draft) {
      st.draft = { choices: new Set(st.myVote?.choices || []), text: st.myVote?.text || '' };
    }
    return st.draft;
  }

  function bars(p, counts, total, correct) {
    const n = Math.max(total || 0, 1);
    return h('ol', { class: 'poll-bars' }, ...(p.options || []).map((_, i) => {
      const c = counts?.[i] || 0;
      const pct = Math.round((c / n) * 100);
      const fill = h('span', { class: 'poll-fill' });
      fill.style.setProperty('--pct', `${pct}%`);
      const ok = correct?.includes(i);
      return h('li', { class: `poll-bar${ok ? ' correct' : ''}`, attrs: { 'data-option': String(i), 'data-count': String(c) } },
        fill,
        h('span', { class: 'poll-bar-label' }, ok ? icon('check') : null, optionLabel(p, i)),
        h('span', { class: 'poll-bar-count', i18n: 'poll.countPct', vars: { n: c, pct } }));
    }));
  }

  function meta(p) {
    const out = [h('span', { class: 'badge', i18n: `poll.kind.${p.kind}` })];
    if (p.anonymous) out.push(h('span', { class: 'badge', i18n: 'poll.anonymousBadge' }));
    if (p.quiz) out.push(h('span', { class: 'badge badge-quiz', i18n: 'poll.quizBadge' }));
    if (p.closesAt && !p.closed) out.push(h('span', { class: 'poll-timer', attrs: { 'data-closes': String(p.closesAt) } }));
    return h('div', { class: 'poll-meta' }, ...out);
  }

  function voteForm(st) {
    const p = st.info;
    const d = draftOf(st);
    const voted = !!st.myVote;
    const locked = voted && !st.editing;
    let body;
    if (p.kind === 'text') {
      const ta = h('textarea', {
        class: 'poll-text', placeholder: 'poll.textPlaceholder', aria: 'poll.textPlaceholder',
        attrs: { rows: 2, maxlength: 500, disabled: locked, 'data-poll-text': p.id },
        on: { input: () => { d.text = ta.value; } },
      });
      ta.value = d.text;
      body = ta;
    } else {
      const multi = p.kind === 'multiple';
      body = h('div', { class: 'poll-options', attrs: { role: multi ? 'group' : 'radiogroup' } },
        ...(p.options || []).map((_, i) => {
          const input = h('input', {
            attrs: { type: multi ? 'checkbox' : 'radio', name: `poll-${p.id}`, value: String(i), disabled: locked, checked: d.choices.has(i) },
            on: {
              change: () => {
                if (!multi) d.choices.clear();
                if (input.checked) d.choices.add(i);
                else d.choices.delete(i);
              },
            },
          });
          return h('label', { class: 'poll-option' }, input, optionLabel(p, i));
        }));
    }
    const submit = async () => {
      const payload = { pollId: p.id };
      if (p.kind === 'text') payload.text = d.text.trim();
      else payload.choices = [...d.choices].sort((a, b) => a - b);
      if (p.kind === 'text' ? !payload.text : payload.choices.length === 0) return;
      await ctx.act(voted ? 'poll.changeVote' : 'poll.vote', payload);
    };
    const actions = locked
      ? [h('span', { class: 'poll-voted' }, icon('check'), h('span', { i18n: 'poll.voted' })),
        h('button', {
          class: 'btn btn-small', i18n: 'poll.change', attrs: { type: 'button', 'data-change': p.id },
          on: { click: () => { st.editing = true; renderCard(p.id); } },
        })]
      : [h('button', {
        class: 'btn btn-primary btn-small', i18n: voted ? 'poll.update' : 'poll.vote',
        attrs: { type: 'button', 'data-vote': p.id }, on: { click: submit },
      }), voted
        ? h('button', {
          class: 'btn btn-small btn-quiet', i18n: 'common.cancel', attrs: { type: 'button' },
          on: { click: () => { st.editing = false; st.draft = null; renderCard(p.id); } },
        })
        : null];
    return h('div', { class: 'poll-vote' }, body, h('div', { class: 'poll-actions' }, ...actions));
  }

  function openCard(st) {
    const p = st.info;
    const parts = [h('h3', { class: 'poll-question', text: p.question }), meta(p)];
    if (isStudent()) parts.push(voteForm(st));
    else if (!isMod() && p.kind !== 'text') {
      parts.push(h('ul', { class: 'poll-readonly' }, ...(p.options || []).map((_, i) => h('li', {}, optionLabel(p, i)))));
    }
    if (isMod()) {
      const c = st.counts || { total: 0, counts: [] };
      if (p.kind !== 'text') parts.push(bars(p, c.counts, c.total, p.correct));
      parts.push(h('p', { class: 'panel-note poll-total', i18n: 'poll.votes', vars: { n: c.total || 0 }, attrs: { 'data-total': String(c.total || 0) } }));
    }
    if (isTeacher()) {
      parts.push(h('div', { class: 'poll-actions' }, h('button', {
        class: 'btn btn-small btn-danger', i18n: 'poll.close', attrs: { type: 'button', 'data-close': p.id },
        on: { click: () => ctx.act('poll.close', { pollId: p.id }) },
      })));
    }
    return h('article', { class: 'poll-card', attrs: { 'data-poll': p.id, 'data-state': 'open' } }, ...parts);
  }

  function resultCard(st) {
    const r = st.results;
    const p = { ...st.info, ...r, options: r.options || st.info?.options, kind: r.kind || st.info?.kind };
    const parts = [h('h3', { class: 'poll-question', text: r.question || p.question }),
      h('div', { class: 'poll-meta' }, h('span', { class: 'badge', i18n: `poll.kind.${p.kind}` }),
        h('span', { class: 'badge badge-closed', i18n: 'poll.closed' }))];
    if (p.kind !== 'text') parts.push(bars(p, r.counts, r.total, r.correct));
    else {
      parts.push(h('ul', { class: 'poll-answers' }, ...(r.answers || []).map((a) => h('li', {},
        a.name ? h('span', { class: 'poll-answer-name', text: a.name }) : null,
        h('span', { class: 'poll-answer-text', text: a.text })))));
    }
    parts.push(h('p', { class: 'panel-note poll-total', i18n: 'poll.votes', vars: { n: r.total || 0 }, attrs: { 'data-total': String(r.total || 0) } }));
    if (r.correctVotes != null) parts.push(h('p', { class: 'panel-note', i18n: 'poll.correctVotes', vars: { n: r.correctVotes, total: r.total || 0 } }));
    if (st.myVote && r.correct?.length) {
      const right = (st.myVote.choices || []).join(',') === [...r.correct].sort((a, b) => a - b).join(',');
      parts.push(h('p', { class: `poll-verdict ${right ? 'right' : 'wrong'}`, i18n: right ? 'poll.youRight' : 'poll.youWrong' }));
    }
    if (isTeacher()) {
      parts.push(h('a', {
        class: 'btn btn-small btn-quiet poll-csv',
        attrs: { href: `/api/v1/lessons/${encodeURIComponent(ctx.lessonId())}/polls/${encodeURIComponent(r.pollId)}/results.csv`, download: '' },
      }, icon('download'), h('span', { i18n: 'poll.csv' })));
    }
    return h('article', { class: 'poll-card result', attrs: { 'data-poll': r.pollId, 'data-state': 'closed' } }, ...parts);
  }

  function renderCard(id) {
    const st = polls.get(id);
    if (!st) return;
    const card = st.results ? resultCard(st) : openCard(st);
    const old = cards.get(id);
    if (old && old.parentNode === (st.results ? resultList : openList)) old.replaceWith(card);
    else {
      old?.remove();
      if (st.results) resultList.prepend(card);
      else openList.prepend(card);
    }
    cards.set(id, card);
    tick();
    renderChrome();
  }

  function renderChrome() {
    empty.hidden = openList.childElementCount + resultList.childElementCount > 0 || isTeacher();
    resultsHead.hidden = resultList.childElementCount === 0;
  }

  function tick() {
    const now = Date.now();
    let any = false;
    for (const span of el.querySelectorAll('[data-closes]')) {
      const left = Math.max(0, Math.ceil((Number(span.dataset.closes) - now) / 1000));
      const m = Math.floor(left / 60);
      tr(span, 'poll.closesIn', { t: `${m}:${String(left % 60).padStart(2, '0')}` });
      any = true;
    }
    if (any && !timer) timer = setInterval(tick, 1000);
    if (!any && timer) { clearInterval(timer); timer = 0; }
  }

  function resetAll() {
    polls.clear();
    cards.clear();
    clear(openList);
    clear(resultList);
  }

  return {
    id: 'polls',
    titleKey: 'panel.polls',
    el,
    onJoined() {
      form.el.hidden = !isTeacher();
      renderChrome();
    },
    onEvent(type, p) {
      switch (type) {
        case 'lesson.snapshot': {
          // Open polls come again; closed results stay for this page.
          for (const [id, st] of [...polls]) {
            if (!st.results) { polls.delete(id); cards.get(id)?.remove(); cards.delete(id); }
          }
          for (const info of p.polls || []) {
            polls.set(info.id, { info, counts: info.counts || null, myVote: info.myVote || null });
            renderCard(info.id);
          }
          renderChrome();
          break;
        }
        case 'poll.opened':
          polls.set(p.id, { info: p, counts: p.counts || { total: 0, counts: (p.options || []).map(() => 0) }, myVote: null });
          renderCard(p.id);
          break;
        case 'poll.counts': {
          const st = polls.get(p.pollId);
          if (st) { st.counts = p; renderCard(p.pollId); }
          break;
        }
        case 'poll.voteAccepted': {
          const st = polls.get(p.pollId);
          if (st) {
            st.myVote = { choices: p.choices || [], text: p.text || '' };
            st.editing = false;
            st.draft = null;
            renderCard(p.pollId);
          }
          break;
        }
        case 'poll.results': {
          const st = polls.get(p.pollId) || { info: { id: p.pollId, question: p.question, kind: p.kind, options: p.options } };
          st.results = p;
          polls.set(p.pollId, st);
          renderCard(p.pollId);
          break;
        }
        default:
      }
    },
    destroy() { clearInterval(timer); resetAll(); },
  };
}
