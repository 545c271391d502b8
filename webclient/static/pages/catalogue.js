// The catalogue (docs/api.md, GET /api/v1/courses): search by words of the
// title, summary, teacher or tags, filter by a tag, page with "More". The
// query and tag live in the address (/courses?q=…&tag=…), so a tag on a
// course page links to its catalogue. Also the tag pieces the course
// pages use: the tag list and the tags field of the course form.
import { h, clear } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { addStrings } from '../i18n.js';

const enc = encodeURIComponent;
const PAGE = 24;

addStrings({
  en: {
    'cat.tags': 'Tags',
    'cat.tagsHint': 'Up to 8, separated by commas, e.g. Programming, 编程',
    'cat.tagFilter': 'Tag: {tag}',
    'cat.clearTag': 'All courses',
    'cat.more': 'More courses',
    'cat.tagLink': 'Courses tagged {tag}',
    'cat.searchHint': 'Title, teacher, topic or tag',
    'cat.tooManyTags': 'At most 8 tags.',
    'cat.tagTooLong': 'A tag has at most 30 characters.',
  },
  'zh-CN': {
    'cat.tags': '标签',
    'cat.tagsHint': '最多 8 个，用逗号分隔，例如：编程, Programming',
    'cat.tagFilter': '标签：{tag}',
    'cat.clearTag': '全部课程',
    'cat.more': '更多课程',
    'cat.tagLink': '标签为 {tag} 的课程',
    'cat.searchHint': '课程名、讲师、主题或标签',
    'cat.tooManyTags': '最多 8 个标签。',
    'cat.tagTooLong': '每个标签最多 30 个字符。',
  },
});

// tagList shows a course's tags; with links, each opens the catalogue
// filtered by it (not inside a card, which is itself a link).
export function tagList(tags, { links = false } = {}) {
  if (!tags?.length) return null;
  return h('ul', { class: 'tags', attrs: { 'data-tags': '' } }, tags.map((tag) => h('li', {},
    links
      ? h('a', { class: 'tag', text: tag, title: 'cat.tagLink', attrs: { href: `/courses?tag=${enc(tag)}`, 'data-tag': tag } })
      : h('span', { class: 'tag', text: tag, attrs: { 'data-tag': tag } }))));
}

// tagsField edits a course's tags as one line; read() returns the list
// (the server normalises and validates it), problem() the key of what
// is wrong with it before sending, or null.
export function tagsField(course) {
  const input = h('input', { attrs: { id: 'course-tags', autocomplete: 'off', maxlength: 400 } });
  input.value = (course?.tags || []).join(', ');
  const el = h('label', { class: 'field' }, h('span', { i18n: 'cat.tags' }), input,
    h('small', { class: 'field-hint', i18n: 'cat.tagsHint' }));
  const read = () => input.value.split(/[,，、;；]/).map((s) => s.trim()).filter(Boolean);
  const problem = () => {
    const tags = read();
    if (new Set(tags.map((t) => t.toLowerCase())).size > 8) return 'cat.tooManyTags';
    if (tags.some((t) => [...t.normalize('NFC')].length > 30)) return 'cat.tagTooLong';
    return null;
  };
  return { el, read, problem };
}

// catalogueSection appends the catalogue to main: cards made by card(c).
export async function catalogueSection(main, card, titleKey) {
  const params = new URLSearchParams(location.search);
  let q = params.get('q') || '';
  let tag = params.get('tag') || '';
  let offset = 0;
  const grid = h('div', { class: 'grid', attrs: { id: 'catalogue' } });
  const search = h('input', { placeholder: 'cat.searchHint', aria: 'pub.search', attrs: { id: 'catalogue-search', type: 'search', maxlength: 200 } });
  search.value = q;
  const form = h('form', { class: 'form-row catalogue-search', attrs: { role: 'search' } }, search,
    h('button', { class: 'btn', i18n: 'pub.search', attrs: { type: 'submit', id: 'catalogue-search-button' } }));
  const filter = h('p', { class: 'tag-filter', attrs: { id: 'catalogue-tag' } });
  const more = h('button', { class: 'btn btn-quiet', i18n: 'cat.more', attrs: { type: 'button', id: 'catalogue-more', hidden: true } });
  main.append(h('section', { class: 'section' }, h('h2', { i18n: titleKey }), form, filter, grid, more));

  const remember = () => {
    const p = new URLSearchParams(location.search);
    for (const [k, v] of [['q', q], ['tag', tag]]) {
      if (v) p.set(k, v); else p.delete(k);
    }
    const s = p.toString();
    history.replaceState(history.state, '', location.pathname + (s ? `?${s}` : ''));
  };
  const renderFilter = () => {
    clear(filter);
    filter.hidden = !tag;
    if (!tag) return;
    filter.append(h('span', { class: 'tag', i18n: 'cat.tagFilter', vars: { tag } }), ' ',
      h('button', {
        class: 'btn btn-small btn-quiet', i18n: 'cat.clearTag', attrs: { type: 'button', id: 'catalogue-clear-tag' },
        on: { click: () => { tag = ''; load(true); } },
      }));
  };
  // load fetches a page: the first (fresh) or the next.
  const load = async (fresh) => {
    if (fresh) offset = 0;
    remember();
    renderFilter();
    let url = `/api/v1/courses?limit=${PAGE}&offset=${offset}`;
    if (q) url += `&q=${enc(q)}`;
    if (tag) url += `&tag=${enc(tag)}`;
    const page = await api('GET', url).catch(() => ({ courses: [] }));
    const list = page?.courses || [];
    if (fresh) clear(grid);
    for (const c of list) grid.append(card(c));
    offset += list.length;
    more.hidden = list.length < PAGE;
    if (!grid.childElementCount) grid.append(h('p', { class: 'muted', i18n: q || tag ? 'pub.noMatch' : 'course.noCatalogue' }));
    grid.dataset.query = q;
    grid.dataset.tag = tag;
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); q = search.value.trim(); load(true); });
  more.addEventListener('click', () => load(false));
  await load(true);
}
