// A course's exercises (练习题, docs/api.md "Exercises"): the teacher
// writes them (single and multiple choice, true/false, fill in the blank,
// short answer; due date, attempt limit), grades short answers with a
// comment and reads the gradebook; students answer and see their results,
// the correct answers and explanations.
import { h, clear } from '../lib/dom.js';
import { topbar } from '../lib/shell.js';
import { api } from '../lib/api.js';
import { addStrings, lang, t } from '../i18n.js';

const enc = encodeURIComponent;

addStrings({
  en: {
    'ex.title': 'Exercises',
    'ex.back': 'Back to the course',
    'ex.none': 'No exercises yet.',
    'ex.new': 'New exercise',
    'ex.name': 'Title',
    'ex.instructions': 'Instructions',
    'ex.due': 'Due',
    'ex.attempts': 'Attempts allowed (0: unlimited)',
    'ex.addQuestion': 'Add a question',
    'ex.save': 'Save exercise',
    'ex.cancel': 'Cancel',
    'ex.type': 'Type',
    'ex.type.single': 'Single choice',
    'ex.type.multiple': 'Multiple choice',
    'ex.type.truefalse': 'True / false',
    'ex.type.blank': 'Fill in the blank',
    'ex.type.short': 'Short answer',
    'ex.prompt': 'Question',
    'ex.choices': 'Choices, one per line',
    'ex.correct': 'Correct choices (numbers from 1, comma-separated)',
    'ex.isTrue': 'The statement is true',
    'ex.accepted': 'Accepted answers, one per line',
    'ex.points': 'Points',
    'ex.explanation': 'Explanation (shown after submitting)',
    'ex.remove': 'Remove',
    'ex.open': 'Open',
    'ex.grade': 'Submissions',
    'ex.delete': 'Delete',
    'ex.confirmDelete': 'Delete “{name}” and its submissions?',
    'ex.meta': '{questions} questions · {points} points',
    'ex.dueAt': 'due {when}',
    'ex.mine': 'your best {best}/{max} · {attempts} attempt(s)',
    'ex.submit': 'Submit',
    'ex.true': 'True',
    'ex.false': 'False',
    'ex.answerHere': 'Your answer',
    'ex.score': 'Score {score}/{max}',
    'ex.pending': 'waiting for the teacher',
    'ex.right': 'Correct',
    'ex.wrong': 'Wrong',
    'ex.key': 'Answer: {answer}',
    'ex.comment': 'Teacher: {comment}',
    'ex.attempt': 'Attempt {n}',
    'ex.gradebook': 'Gradebook',
    'ex.missing': 'Missing',
    'ex.csv': 'Download CSV',
    'ex.student': 'Student',
    'ex.total': 'Total',
    'ex.gradeSave': 'Save grade',
    'ex.comment.label': 'Comment',
    'ex.saved': 'Saved',
    'ex.err.past_due': 'The due date has passed.',
    'ex.err.no_attempts_left': 'You have used every attempt.',
    'ex.err.payment_required': 'Buy the course to do its exercises.',
    'ex.err.not_a_member': 'Enrol in the course to do its exercises.',
    'ex.err.banned': 'You were removed from this lesson: its exercises are closed to you.',
    'ex.err.invalid_input': 'Please check: {field}',
    'ex.err.other': 'Something went wrong.',
  },
  'zh-CN': {
    'ex.title': '练习题',
    'ex.back': '返回课程',
    'ex.none': '还没有练习。',
    'ex.new': '新建练习',
    'ex.name': '标题',
    'ex.instructions': '说明',
    'ex.due': '截止时间',
    'ex.attempts': '允许作答次数（0 为不限）',
    'ex.addQuestion': '添加题目',
    'ex.save': '保存练习',
    'ex.cancel': '取消',
    'ex.type': '题型',
    'ex.type.single': '单选题',
    'ex.type.multiple': '多选题',
    'ex.type.truefalse': '判断题',
    'ex.type.blank': '填空题',
    'ex.type.short': '简答题',
    'ex.prompt': '题目',
    'ex.choices': '选项，每行一个',
    'ex.correct': '正确选项（从 1 开始的编号，用逗号分隔）',
    'ex.isTrue': '该说法正确',
    'ex.accepted': '可接受的答案，每行一个',
    'ex.points': '分值',
    'ex.explanation': '解析（提交后显示）',
    'ex.remove': '移除',
    'ex.open': '打开',
    'ex.grade': '作答记录',
    'ex.delete': '删除',
    'ex.confirmDelete': '删除“{name}”及其作答记录？',
    'ex.meta': '{questions} 道题 · {points} 分',
    'ex.dueAt': '{when} 截止',
    'ex.mine': '最高 {best}/{max} 分 · 已作答 {attempts} 次',
    'ex.submit': '提交',
    'ex.true': '正确',
    'ex.false': '错误',
    'ex.answerHere': '你的答案',
    'ex.score': '得分 {score}/{max}',
    'ex.pending': '等待老师批改',
    'ex.right': '正确',
    'ex.wrong': '错误',
    'ex.key': '答案：{answer}',
    'ex.comment': '老师评语：{comment}',
    'ex.attempt': '第 {n} 次作答',
    'ex.gradebook': '成绩册',
    'ex.missing': '未提交',
    'ex.csv': '下载 CSV',
    'ex.student': '学生',
    'ex.total': '总分',
    'ex.gradeSave': '保存评分',
    'ex.comment.label': '评语',
    'ex.saved': '已保存',
    'ex.err.past_due': '已过截止时间。',
    'ex.err.no_attempts_left': '作答次数已用完。',
    'ex.err.payment_required': '购买课程后才能做练习。',
    'ex.err.not_a_member': '加入课程后才能做练习。',
    'ex.err.banned': '你已被移出本节课，无法做本节课的练习。',
    'ex.err.invalid_input': '请检查：{field}',
    'ex.err.other': '出错了。',
  },
});

const TYPES = ['single', 'multiple', 'truefalse', 'blank', 'short'];

function when(iso) {
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

function errorLine(err) {
  const code = err?.code;
  const known = code && t(`ex.err.${code}`) !== `ex.err.${code}`;
  return h('p', { class: 'form-error', attrs: { role: 'alert', 'data-error': code || '' } },
    h('span', { i18n: known ? `ex.err.${code}` : 'ex.err.other', vars: { field: err?.field || '' } }),
    err?.message ? h('span', { class: 'form-error-detail', text: ` (${err.message})` }) : null);
}

function field(labelKey, input) {
  return h('label', {}, h('span', { i18n: labelKey }), input);
}

// questionEditor is one question's form; read() returns its JSON.
function questionEditor(onRemove) {
  const type = h('select', { attrs: { 'data-q-type': '' } }, ...TYPES.map((ty) => h('option', { i18n: `ex.type.${ty}`, attrs: { value: ty } })));
  const prompt = h('textarea', { attrs: { rows: 2, 'data-q-prompt': '' } });
  const choices = h('textarea', { attrs: { rows: 3, 'data-q-choices': '' } });
  const correct = h('input', { attrs: { type: 'text', 'data-q-correct': '' } });
  const isTrue = h('input', { attrs: { type: 'checkbox', 'data-q-true': '' } });
  const accepted = h('textarea', { attrs: { rows: 2, 'data-q-accepted': '' } });
  const points = h('input', { attrs: { type: 'number', min: 0, max: 1000, value: 1, 'data-q-points': '' } });
  const explanation = h('textarea', { attrs: { rows: 2, 'data-q-explanation': '' } });
  const rows = {
    choices: field('ex.choices', choices), correct: field('ex.correct', correct),
    isTrue: h('label', { class: 'check' }, isTrue, h('span', { i18n: 'ex.isTrue' })), accepted: field('ex.accepted', accepted),
  };
  const el = h('fieldset', { class: 'card question-editor', attrs: { 'data-question': '' } },
    field('ex.type', type), field('ex.prompt', prompt), ...Object.values(rows), field('ex.points', points),
    field('ex.explanation', explanation),
    h('button', { class: 'btn btn-small btn-danger', i18n: 'ex.remove', attrs: { type: 'button' }, on: { click: () => { el.remove(); onRemove?.(); } } }));
  const sync = () => {
    const ty = type.value;
    rows.choices.hidden = rows.correct.hidden = !(ty === 'single' || ty === 'multiple');
    rows.isTrue.hidden = ty !== 'truefalse';
    rows.accepted.hidden = ty !== 'blank';
  };
  type.addEventListener('change', sync);
  sync();
  const lines = (ta) => ta.value.split('\n').map((s) => s.trim()).filter(Boolean);
  el.read = () => {
    const q = { type: type.value, prompt: prompt.value, points: Number(points.value) || 0, explanation: explanation.value };
    if (q.type === 'single' || q.type === 'multiple') {
      q.choices = lines(choices);
      q.correct = correct.value.split(/[,，\s]+/).filter(Boolean).map((n) => Number(n) - 1);
    } else if (q.type === 'truefalse') {
      q.true = isTrue.checked;
    } else if (q.type === 'blank') {
      q.accepted = lines(accepted);
    }
    return q;
  };
  return el;
}

function authorForm(courseId, onSaved, onCancel) {
  const title = h('input', { attrs: { type: 'text', required: true, maxlength: 200, id: 'ex-title' } });
  const instructions = h('textarea', { attrs: { rows: 2, id: 'ex-instructions' } });
  const due = h('input', { attrs: { type: 'datetime-local', id: 'ex-due' } });
  const attempts = h('input', { attrs: { type: 'number', min: 0, max: 100, value: 1, id: 'ex-attempts' } });
  const questions = h('div', { attrs: { id: 'ex-questions' } }, questionEditor());
  const error = h('div');
  const form = h('form', { class: 'card form', attrs: { id: 'ex-form' } },
    field('ex.name', title), field('ex.instructions', instructions), field('ex.due', due), field('ex.attempts', attempts),
    questions,
    h('button', { class: 'btn', i18n: 'ex.addQuestion', attrs: { type: 'button', id: 'ex-add-question' }, on: { click: () => questions.append(questionEditor()) } }),
    error,
    h('div', { class: 'form-actions' },
      h('button', { class: 'btn btn-primary', i18n: 'ex.save', attrs: { type: 'submit', id: 'ex-save' } }),
      h('button', { class: 'btn', i18n: 'ex.cancel', attrs: { type: 'button' }, on: { click: onCancel } })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      title: title.value, instructions: instructions.value, max_attempts: Number(attempts.value) || 0,
      questions: [...questions.querySelectorAll('[data-question]')].map((q) => q.read()),
    };
    if (due.value) body.due_at = new Date(due.value).toISOString();
    try {
      onSaved(await api('POST', `/api/v1/courses/${enc(courseId)}/exercises`, body));
    } catch (err) {
      error.replaceChildren(errorLine(err));
    }
  });
  return form;
}

// keyText describes a question's correct answer.
function keyText(q) {
  if (q.type === 'single' || q.type === 'multiple') return (q.correct || []).map((i) => q.choices[i]).join(', ');
  if (q.type === 'truefalse') return q.true == null ? '' : t(q.true ? 'ex.true' : 'ex.false');
  if (q.type === 'blank') return (q.accepted || []).join(' / ');
  return '';
}

// answerForm renders an exercise's questions with inputs; read() returns
// the answers.
function answerForm(ex) {
  const box = h('div', { class: 'answer-form' });
  const readers = {};
  ex.questions.forEach((q, i) => {
    const name = `a-${q.id}`;
    const item = h('fieldset', { class: 'card question', attrs: { 'data-q': q.id, 'data-type': q.type } },
      h('legend', { text: `${i + 1}. ${q.prompt}` }), h('span', { class: 'muted', i18n: `ex.type.${q.type}` }));
    if (q.type === 'single' || q.type === 'multiple') {
      const inputs = q.choices.map((c, k) => h('input', { attrs: { type: q.type === 'single' ? 'radio' : 'checkbox', name, value: k, 'data-choice': k } }));
      q.choices.forEach((c, k) => item.append(h('label', { class: 'check' }, inputs[k], h('span', { text: c }))));
      readers[q.id] = () => ({ choices: inputs.filter((x) => x.checked).map((x) => Number(x.value)) });
    } else if (q.type === 'truefalse') {
      const yes = h('input', { attrs: { type: 'radio', name, value: 'true', 'data-tf': 'true' } });
      const no = h('input', { attrs: { type: 'radio', name, value: 'false', 'data-tf': 'false' } });
      item.append(h('label', { class: 'check' }, yes, h('span', { i18n: 'ex.true' })), h('label', { class: 'check' }, no, h('span', { i18n: 'ex.false' })));
      readers[q.id] = () => (yes.checked || no.checked ? { true: yes.checked } : null);
    } else {
      const input = q.type === 'blank' ? h('input', { attrs: { type: 'text', 'data-text': '' } }) : h('textarea', { attrs: { rows: 4, 'data-text': '' } });
      item.append(field('ex.answerHere', input));
      readers[q.id] = () => (input.value.trim() ? { text: input.value } : null);
    }
    box.append(item);
  });
  box.read = () => {
    const answers = {};
    for (const [id, read] of Object.entries(readers)) {
      const a = read();
      if (a) answers[id] = a;
    }
    return answers;
  };
  return box;
}

// resultView shows one submission against the exercise (with its key
// when the server revealed it).
function resultView(sub, ex) {
  const byId = Object.fromEntries(ex.questions.map((q) => [q.id, q]));
  const el = h('div', { class: 'card result', attrs: { 'data-submission': sub.id, 'data-score': sub.score, 'data-status': sub.status } },
    h('h3', {}, h('span', { i18n: 'ex.attempt', vars: { n: sub.attempt } }), ' · ', h('span', { i18n: 'ex.score', vars: { score: sub.score, max: sub.max_score } }),
      sub.status === 'pending' ? h('span', { class: 'badge', i18n: 'ex.pending' }) : null));
  for (const r of sub.results) {
    const q = byId[r.question_id] || { prompt: r.question_id };
    const key = keyText(q);
    el.append(h('div', { class: 'result-row', attrs: { 'data-result': r.question_id, 'data-correct': r.pending ? 'pending' : String(!!r.correct) } },
      h('strong', { text: q.prompt }), ' ',
      r.pending ? h('span', { class: 'badge', i18n: 'ex.pending' })
        : h('span', { class: r.correct ? 'badge badge-ok' : 'badge status-failed', i18n: r.correct ? 'ex.right' : 'ex.wrong' }),
      ` ${r.points}/${q.points ?? ''}`,
      key ? h('div', { class: 'muted', attrs: { 'data-key': '' } }, h('span', { i18n: 'ex.key', vars: { answer: key } })) : null,
      q.explanation ? h('div', { class: 'muted', text: q.explanation, attrs: { 'data-explanation': '' } }) : null,
      r.comment ? h('div', { attrs: { 'data-comment': '' } }, h('span', { i18n: 'ex.comment', vars: { comment: r.comment } })) : null));
  }
  return el;
}

async function openExercise(slot, id, reload) {
  const data = await api('GET', `/api/v1/exercises/${enc(id)}`);
  const ex = data.exercise;
  clear(slot);
  const results = h('div', { attrs: { id: 'ex-results' } });
  for (const s of [...data.submissions].reverse()) results.append(resultView(s, ex));
  const form = answerForm(ex);
  const error = h('div');
  const submit = h('button', { class: 'btn btn-primary', i18n: 'ex.submit', attrs: { type: 'button', id: 'ex-submit' } });
  submit.addEventListener('click', async () => {
    submit.disabled = true;
    try {
      const res = await api('POST', `/api/v1/exercises/${enc(id)}/submissions`, { answers: form.read() });
      error.replaceChildren();
      results.prepend(resultView(res.submission, res.exercise || ex));
      reload();
    } catch (err) {
      error.replaceChildren(errorLine(err));
    }
    submit.disabled = false;
  });
  slot.append(h('h2', { text: ex.title }), ex.instructions ? h('p', { text: ex.instructions }) : null, form, error, submit, results);
  slot.scrollIntoView({ block: 'nearest' });
}

async function gradeView(slot, exId) {
  const [{ exercise: ex }, { submissions }] = await Promise.all([
    api('GET', `/api/v1/exercises/${enc(exId)}`), api('GET', `/api/v1/exercises/${enc(exId)}/submissions`)]);
  clear(slot);
  slot.append(h('h2', { text: ex.title }));
  const shorts = ex.questions.filter((q) => q.type === 'short');
  for (const s of submissions) {
    const card = resultView(s, ex);
    card.prepend(h('p', { text: s.name }));
    for (const q of shorts) {
      const res = s.results.find((r) => r.question_id === q.id) || {};
      const answer = s.answers?.[q.id]?.text || '';
      const pts = h('input', { attrs: { type: 'number', min: 0, max: q.points, value: res.points || 0, 'data-grade-points': q.id } });
      const comment = h('input', { attrs: { type: 'text', value: res.comment || '', 'data-grade-comment': q.id } });
      const msg = h('span');
      const save = h('button', { class: 'btn btn-small btn-primary', i18n: 'ex.gradeSave', attrs: { type: 'button', 'data-grade-save': s.id } });
      save.addEventListener('click', async () => {
        try {
          await api('PUT', `/api/v1/submissions/${enc(s.id)}/grade`, { grades: { [q.id]: { points: Number(pts.value) || 0, comment: comment.value } } });
          msg.replaceChildren(h('span', { class: 'ok', i18n: 'ex.saved' }));
          gradeView(slot, exId);
        } catch (err) {
          msg.replaceChildren(errorLine(err));
        }
      });
      card.append(h('div', { class: 'grade-row' }, h('blockquote', { text: answer }),
        field('ex.points', pts), field('ex.comment.label', comment), save, msg));
    }
    slot.append(card);
  }
}

async function gradebook(el, courseId) {
  const g = await api('GET', `/api/v1/courses/${enc(courseId)}/gradebook`);
  const table = h('table', { class: 'gradebook', attrs: { id: 'gradebook' } },
    h('thead', {}, h('tr', {}, h('th', { i18n: 'ex.student' }), ...g.exercises.map((e) => h('th', { text: `${e.title} (/${e.max_score})` })), h('th', { i18n: 'ex.total' }))),
    h('tbody', {}, ...g.students.map((s) => h('tr', { attrs: { 'data-student': s.account_id } }, h('td', { text: s.name }),
      ...g.exercises.map((e) => {
        const c = s.scores[e.id];
        return c ? h('td', { text: `${c.best}${c.pending ? '*' : ''}` }) : h('td', { class: 'muted', i18n: 'ex.missing', attrs: { 'data-missing': e.id } });
      }), h('td', { text: String(s.total) })))));
  el.replaceChildren(h('h2', { i18n: 'ex.gradebook' }),
    h('a', { class: 'btn btn-small', i18n: 'ex.csv', attrs: { href: `/api/v1/courses/${enc(courseId)}/gradebook.csv`, download: '' } }), table);
}

export async function mountExercises(root, courseId) {
  const main = h('main', { class: 'page' });
  root.append(topbar(), main);
  let course;
  try {
    course = await api('GET', `/api/v1/courses/${enc(courseId)}`);
  } catch (err) {
    main.append(errorLine(err));
    return;
  }
  document.title = `${course.title} · ${t('ex.title')}`;
  const list = h('ul', { class: 'lessons', attrs: { id: 'ex-list' } });
  const slot = h('section', { attrs: { id: 'ex-detail' } });
  const authorSlot = h('div');
  const book = h('section', { attrs: { id: 'ex-gradebook' } });
  const status = h('div');
  const head = h('div', { class: 'page-head' }, h('h1', { text: course.title }),
    h('a', { class: 'btn', i18n: 'ex.back', attrs: { href: `/courses/${enc(courseId)}` } }));
  main.append(head, h('h2', { i18n: 'ex.title' }), status, authorSlot, list, slot, book);

  async function load() {
    let data;
    try {
      data = await api('GET', `/api/v1/courses/${enc(courseId)}/exercises`);
    } catch (err) {
      status.replaceChildren(errorLine(err));
      return;
    }
    clear(list);
    if (data.can_edit && !head.querySelector('#ex-new')) {
      head.append(h('button', {
        class: 'btn btn-primary', i18n: 'ex.new', attrs: { type: 'button', id: 'ex-new' },
        on: { click: () => authorSlot.replaceChildren(authorForm(courseId, () => { authorSlot.replaceChildren(); load(); }, () => authorSlot.replaceChildren())) },
      }));
    }
    for (const e of data.exercises) {
      const actions = h('span', { class: 'material-actions' },
        h('button', { class: 'btn btn-small btn-primary', i18n: 'ex.open', attrs: { type: 'button', 'data-ex-open': e.id }, on: { click: () => openExercise(slot, e.id, load).catch((err) => slot.replaceChildren(errorLine(err))) } }));
      if (data.can_edit) {
        actions.append(
          h('button', { class: 'btn btn-small', i18n: 'ex.grade', attrs: { type: 'button', 'data-ex-grade': e.id }, on: { click: () => gradeView(slot, e.id) } }),
          h('button', {
            class: 'btn btn-small btn-danger', i18n: 'ex.delete', attrs: { type: 'button', 'data-ex-delete': e.id },
            on: { click: async () => { if (confirm(t('ex.confirmDelete', { name: e.title }))) { await api('DELETE', `/api/v1/exercises/${enc(e.id)}`); load(); } } },
          }));
      }
      list.append(h('li', { class: 'lesson-row', attrs: { 'data-exercise': e.id } },
        h('div', { class: 'lesson-main' }, h('strong', { text: e.title }),
          h('span', { class: 'muted' }, h('span', { i18n: 'ex.meta', vars: { questions: e.questions, points: e.max_score } }),
            e.due_at ? h('span', {}, ' · ', h('span', { i18n: 'ex.dueAt', vars: { when: when(e.due_at) } })) : null,
            e.my_attempts ? h('span', { attrs: { 'data-mine': '' } }, ' · ', h('span', { i18n: 'ex.mine', vars: { best: e.my_best, max: e.max_score, attempts: e.my_attempts } })) : null)),
        actions));
    }
    if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'ex.none' }));
    if (data.can_edit) gradebook(book, courseId).catch(() => {});
  }
  await load();
}
