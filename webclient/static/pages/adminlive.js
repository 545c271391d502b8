// The admin console's "live lessons now" (docs/api.md, "Administration"):
// each live lesson with its course, teacher, participants and how long it
// has been live, a link into it, and End, which closes every connection.
import { h, clear } from '../lib/dom.js';
import { showAPIError, toast } from '../lib/shell.js';
import { api } from '../lib/api.js';
import { addStrings, t } from '../i18n.js';

const enc = encodeURIComponent;

addStrings({
  en: {
    'admin.live': 'Live lessons now',
    'admin.noLive': 'No lesson is live.',
    'admin.liveRow': '{course} · {teacher} · {participants} in the room · live for {minutes} min',
    'admin.endLive': 'End lesson',
    'admin.endLiveConfirm': 'End this lesson for everyone in it?',
    'admin.ended': 'The lesson was ended.',
    'admin.refresh': 'Refresh',
  },
  'zh-CN': {
    'admin.live': '正在直播的课程',
    'admin.noLive': '当前没有直播中的课程。',
    'admin.liveRow': '{course} · {teacher} · 课堂内 {participants} 人 · 已直播 {minutes} 分钟',
    'admin.endLive': '结束课程',
    'admin.endLiveConfirm': '确定为课堂里的所有人结束这节课吗？',
    'admin.ended': '课程已结束。',
    'admin.refresh': '刷新',
  },
});

// liveLessons fills list with the lessons live now.
export async function liveLessons(list) {
  const data = await api('GET', '/api/v1/admin/live-lessons');
  clear(list);
  for (const l of data.lessons || []) {
    const error = h('span', { class: 'form-error', attrs: { role: 'alert' } });
    const end = h('button', {
      class: 'btn btn-small btn-danger', i18n: 'admin.endLive', attrs: { type: 'button', 'data-end': l.id },
      on: {
        click: async () => {
          if (!window.confirm(t('admin.endLiveConfirm'))) return;
          end.disabled = true;
          try {
            await api('POST', `/api/v1/admin/live-lessons/${enc(l.id)}/end`);
            toast('admin.ended', { kind: 'ok', ms: 3000 });
            await liveLessons(list);
          } catch (err) {
            end.disabled = false;
            showAPIError(error, err);
          }
        },
      },
    });
    list.append(h('li', { class: 'admin-row', attrs: { 'data-live-lesson': l.id, 'data-participants': l.participants } },
      h('div', { class: 'admin-main' },
        h('a', { text: l.title, attrs: { href: `/courses/${enc(l.course_id)}` } }),
        h('div', { class: 'muted', i18n: 'admin.liveRow',
          vars: { course: l.course_title, teacher: l.teacher_name, participants: l.participants, minutes: l.live_minutes } })),
      end, error));
  }
  if (!list.childElementCount) list.append(h('li', { class: 'muted', i18n: 'admin.noLive' }));
}
