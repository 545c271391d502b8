// Q&A (docs/classroom.md): students ask (optionally anonymously) and upvote
// once; moderators mark a question answered or dismiss it. Open questions
// are sorted by votes, then by time asked; answered ones follow, dimmed.
// Question text and names are set with textContent only.
import { h, tr, clear, icon } from '../../lib/dom.js';

const MAX_LEN = 1000; // characters; the server has the last word (too_long)
const MODERATOR = new Set(['teacher', 'assistant']);

export function create(ctx) {
  const input = h('textarea', {
    class: 'qa-input', placeholder: 'qa.placeholder', aria: 'qa.placeholder', attrs: { id: 'qa-input', rows: 2 },
  });
  const anon = h('input', { attrs: { type: 'checkbox', id: 'qa-anonymous' } });
  const askBtn = h('button', { class: 'btn btn-primary', i18n: 'qa.ask', attrs: { type: 'submit', id: 'qa-ask' } });
  const form = h('form', { class: 'qa-form', attrs: { hidden: true }, on: { submit: (e) => { e.preventDefault(); ask(); } } },
    input,
    h('div', { class: 'qa-form-row' },
      h('label', { class: 'check' }, anon, h('span', { i18n: 'qa.anonymous' })), askBtn));
  const list = h('ol', { class: 'qa-list', attrs: { id: 'qa-list' } });
  const empty = h('p', { class: 'panel-note', i18n: 'qa.empty' });
  const el = h('div', { class: 'panel-body qa' }, form, empty, list);
  const questions = new Map(); // id → question (merged views)
  const voted = new Set(); // ids this student upvoted

  const self = () => ctx.self();
  const isMod = () => MODERATOR.has(self()?.role);
  const isStudent = () => self()?.role === 'student';

  async function ask() {
    const text = input.value.trim();
    if (!text) return;
    askBtn.disabled = true;
    const ok = await ctx.act('question.ask', { text: text.slice(0, MAX_LEN), anonymous: anon.checked });
    askBtn.disabled = false;
    if (ok) { input.value = ''; anon.checked = false; }
  }

  function upsert(q) {
    const old = questions.get(q.id);
    if (q.voted) voted.add(q.id);
    // The broadcast view has no author for anonymous questions; keep what
    // this client already knew (its own, or a moderator's full view).
    questions.set(q.id, { ...old, ...q, mine: q.mine || old?.mine, authorName: q.authorName || old?.authorName });
  }

  function sorted() {
    const rank = { open: 0, answered: 1 };
    return [...questions.values()]
      .filter((q) => q.status !== 'dismissed')
      .sort((a, b) => (rank[a.status] ?? 2) - (rank[b.status] ?? 2) || b.votes - a.votes || a.askedAt - b.askedAt);
  }

  function render() {
    clear(list);
    const student = isStudent();
    const mod = isMod();
    for (const q of sorted()) {
      const open = q.status === 'open';
      const didVote = voted.has(q.id);
      const who = q.anonymous && !q.authorName
        ? h('span', { class: 'qa-author muted', i18n: 'qa.anonymousAuthor' })
        : h('span', { class: 'qa-author', text: q.authorName || '' });
      list.append(h('li', { class: `qa-item status-${q.status}${q.mine ? ' mine' : ''}`, attrs: { 'data-question': q.id } },
        h('div', { class: 'qa-votes' },
          student
            ? h('button', {
              class: `vote${didVote ? ' on' : ''}`, title: didVote ? 'qa.voted' : 'qa.upvote', aria: didVote ? 'qa.voted' : 'qa.upvote',
              attrs: { type: 'button', 'aria-pressed': String(didVote), disabled: didVote || !open, 'data-upvote': q.id },
              on: {
                click: async () => {
                  voted.add(q.id);
                  render();
                  if (!(await ctx.act('question.upvote', { questionId: q.id }))) { voted.delete(q.id); render(); }
                },
              },
            }, icon('up'))
            : h('span', { class: 'vote-icon' }, icon('up')),
          h('span', { class: 'vote-count', text: String(q.votes || 0) })),
        h('div', { class: 'qa-body' },
          h('p', { class: 'qa-text', text: q.text }),
          h('div', { class: 'qa-meta' }, who,
            q.anonymous && q.authorName ? h('span', { class: 'badge', i18n: 'qa.anonymousBadge' }) : null,
            q.mine ? h('span', { class: 'badge', i18n: 'qa.yours' }) : null,
            q.status === 'answered' ? h('span', { class: 'badge badge-ok', i18n: 'qa.answered' }) : null),
          mod && open
            ? h('div', { class: 'qa-actions' },
              h('button', {
                class: 'btn btn-small', attrs: { type: 'button', 'data-answer': q.id },
                on: { click: () => ctx.act('question.answer', { questionId: q.id }) },
              }, icon('check'), h('span', { i18n: 'qa.markAnswered' })),
              h('button', {
                class: 'btn btn-small btn-quiet', i18n: 'qa.dismiss', attrs: { type: 'button', 'data-dismiss': q.id },
                on: { click: () => ctx.act('question.dismiss', { questionId: q.id }) },
              }))
            : null)));
    }
    empty.hidden = list.childElementCount > 0;
    tr(empty, isStudent() ? 'qa.emptyStudent' : 'qa.empty');
  }

  return {
    id: 'qa',
    titleKey: 'panel.qa',
    el,
    onJoined() { form.hidden = !isStudent(); render(); },
    onEvent(type, p) {
      switch (type) {
        case 'lesson.snapshot':
          questions.clear();
          voted.clear();
          for (const q of p.questions || []) upsert(q);
          break;
        case 'question.asked':
        case 'question.updated':
          upsert(p);
          break;
        case 'question.voted': {
          const q = questions.get(p.questionId);
          if (!q) return;
          q.votes = p.votes;
          break;
        }
        default:
          return;
      }
      render();
    },
    destroy() {},
  };
}
