// The teacher's "new poll" form (poll.create in docs/classroom.md):
// question, kind, 2–10 options, anonymous, quiz with the correct
// answer(s), and an optional timer.
import { h, tr, clear } from '../../lib/dom.js';
import { t, onLangChange } from '../../i18n.js';

const MAX_OPTIONS = 10;
const TIMERS = [0, 30, 60, 120, 300, 600];
const YESNO_KEYS = ['poll.yes', 'poll.no', 'poll.abstain'];

export class PollForm {
  options = ['', ''];
  correct = new Set();

  constructor({ act }) {
    this.act = act;
    this.toggle = h('button', {
      class: 'btn btn-primary', attrs: { type: 'button', id: 'poll-new', 'aria-expanded': 'false' },
      on: { click: () => this.show(this.form.hidden) },
    }, h('span', { i18n: 'poll.new' }));
    this.question = h('input', {
      placeholder: 'poll.questionPlaceholder', aria: 'poll.question',
      attrs: { id: 'poll-question', maxlength: 500, required: true, autocomplete: 'off' },
    });
    this.kind = h('select', { attrs: { id: 'poll-kind' }, on: { change: () => this.renderOptions() } },
      ...['single', 'multiple', 'yesno', 'text'].map((k) => h('option', { i18n: `poll.kind.${k}`, attrs: { value: k } })));
    this.anonymous = h('input', { attrs: { type: 'checkbox', id: 'poll-anonymous' } });
    this.quiz = h('input', { attrs: { type: 'checkbox', id: 'poll-quiz' }, on: { change: () => this.renderOptions() } });
    this.quizLabel = h('label', { class: 'check' }, this.quiz, h('span', { i18n: 'poll.quiz' }));
    this.timer = h('select', { attrs: { id: 'poll-timer' } },
      ...TIMERS.map((s) => (s === 0
        ? h('option', { i18n: 'poll.noTimer', attrs: { value: '0' } })
        : h('option', { i18n: s >= 60 ? 'poll.minutes' : 'poll.seconds', vars: { n: s >= 60 ? s / 60 : s }, attrs: { value: String(s) } }))));
    this.optionBox = h('ol', { class: 'poll-form-options', attrs: { id: 'poll-options' } });
    this.addBtn = h('button', {
      class: 'btn btn-small btn-quiet', i18n: 'poll.addOption', attrs: { type: 'button', id: 'poll-add-option' },
      on: { click: () => { this.options.push(''); this.renderOptions(true); } },
    });
    this.quizHint = h('p', { class: 'panel-note', i18n: 'poll.quizHint', attrs: { hidden: true } });
    this.error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
    this.submit = h('button', { class: 'btn btn-primary', i18n: 'poll.create', attrs: { type: 'submit', id: 'poll-create' } });
    this.form = h('form', { class: 'poll-form form', attrs: { hidden: true, id: 'poll-form' }, on: { submit: (e) => { e.preventDefault(); this.send(); } } },
      h('label', { class: 'field' }, h('span', { i18n: 'poll.question' }), this.question),
      h('label', { class: 'field' }, h('span', { i18n: 'poll.kind' }), this.kind),
      this.optionBox, this.addBtn, this.quizHint,
      h('div', { class: 'settings-rows' },
        h('label', { class: 'check' }, this.anonymous, h('span', { i18n: 'poll.anonymous' })),
        this.quizLabel,
        h('label', { class: 'inline-field' }, h('span', { i18n: 'poll.timer' }), this.timer)),
      this.error,
      h('div', { class: 'poll-actions' },
        h('button', { class: 'btn btn-quiet', i18n: 'common.cancel', attrs: { type: 'button' }, on: { click: () => this.show(false) } }),
        this.submit));
    this.el = h('div', { class: 'poll-new', attrs: { hidden: true } }, this.toggle, this.form);
    this.renderOptions();
    onLangChange(() => this.renderOptions()); // option placeholders
  }

  show(open) {
    this.form.hidden = !open;
    this.toggle.hidden = open;
    this.toggle.setAttribute('aria-expanded', String(open));
    if (open) this.question.focus();
  }

  renderOptions(focusLast = false) {
    const kind = this.kind.value;
    const quiz = this.quiz.checked && kind !== 'text';
    this.quizLabel.hidden = kind === 'text';
    this.quizHint.hidden = !quiz;
    this.addBtn.hidden = kind === 'yesno' || kind === 'text' || this.options.length >= MAX_OPTIONS;
    clear(this.optionBox);
    const fixed = kind === 'yesno';
    const labels = fixed ? YESNO_KEYS : kind === 'text' ? [] : this.options;
    if (kind !== 'multiple' && this.correct.size > 1) this.correct = new Set([...this.correct].slice(0, 1));
    labels.forEach((value, i) => {
      const mark = quiz
        ? h('input', {
          class: 'poll-correct', title: 'poll.correct', aria: 'poll.correct',
          attrs: { type: kind === 'multiple' ? 'checkbox' : 'radio', name: 'poll-correct', checked: this.correct.has(i), 'data-index': String(i) },
          on: {
            change: (e) => {
              if (kind !== 'multiple') this.correct.clear();
              if (e.target.checked) this.correct.add(i);
              else this.correct.delete(i);
            },
          },
        })
        : null;
      let field;
      if (fixed) field = h('span', { class: 'poll-fixed', i18n: value });
      else {
        field = h('input', {
          class: 'poll-option-input',
          attrs: { maxlength: 200, 'data-index': String(i), autocomplete: 'off', placeholder: t('poll.optionN', { n: i + 1 }) },
          on: { input: (e) => { this.options[i] = e.target.value; } },
        });
        field.value = value;
      }
      const remove = !fixed && this.options.length > 2
        ? h('button', {
          class: 'chip-x', text: '×', title: 'poll.removeOption', aria: 'poll.removeOption', attrs: { type: 'button' },
          on: {
            click: () => {
              this.options.splice(i, 1);
              this.correct = new Set([...this.correct].filter((c) => c !== i).map((c) => (c > i ? c - 1 : c)));
              this.renderOptions();
            },
          },
        })
        : null;
      this.optionBox.append(h('li', { class: 'poll-form-option' }, mark, field, remove));
    });
    if (focusLast) this.optionBox.querySelector('li:last-child input.poll-option-input')?.focus();
  }

  async send() {
    const kind = this.kind.value;
    const payload = { question: this.question.value.trim(), kind };
    this.error.textContent = '';
    delete this.error.dataset.i18n;
    if (!payload.question) { tr(this.error, 'poll.needQuestion'); return; }
    if (kind === 'single' || kind === 'multiple') {
      payload.options = this.options.map((o) => o.trim()).filter(Boolean);
      if (payload.options.length < 2) { tr(this.error, 'poll.needOptions'); return; }
      if (new Set(payload.options).size !== payload.options.length) { tr(this.error, 'poll.duplicateOption'); return; }
    }
    if (this.anonymous.checked) payload.anonymous = true;
    if (this.quiz.checked && kind !== 'text') {
      // Options left empty are dropped: map the marks onto what remains.
      const kept = kind === 'yesno' ? [0, 1, 2] : this.options.map((o, i) => (o.trim() ? i : -1)).filter((i) => i >= 0);
      payload.correct = [...this.correct].map((i) => kept.indexOf(i)).filter((i) => i >= 0).sort((a, b) => a - b);
      if (payload.correct.length === 0) { tr(this.error, 'poll.needCorrect'); return; }
    }
    const secs = Number(this.timer.value);
    if (secs) payload.durationSeconds = secs;
    this.submit.disabled = true;
    const ok = await this.act('poll.create', payload);
    this.submit.disabled = false;
    if (!ok) return;
    this.question.value = '';
    this.options = ['', ''];
    this.correct.clear();
    this.quiz.checked = false;
    this.anonymous.checked = false;
    this.timer.value = '0';
    this.renderOptions();
    this.show(false);
  }
}
