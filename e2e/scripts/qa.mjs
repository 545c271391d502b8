// qa.mjs <teacherURL> <studentURL>  (browser in Simplified Chinese)
// Q&A: the student asks one question anonymously and one openly and
// upvotes the second; the teacher sees them sorted by votes, sees who asked
// the anonymous one, and marks one answered. Screenshots of the panels in
// Chinese (people menu, chat settings, poll form) go to
// $LECTERN_E2E_SCREENSHOTS when set.
import { run, openPage, waitStatus, openTab, screenshot, sleep } from './lib.mjs';

const [teacherURL, studentURL] = process.argv.slice(2);

run(async (ctx) => {
  const teacher = await openPage(ctx, teacherURL, 'teacher');
  await waitStatus(teacher, 'ready');
  const student = await openPage(ctx, studentURL, 'student');
  await waitStatus(student, 'live');
  await openTab(teacher, 'qa');
  await openTab(student, 'qa');

  await student.fill('#qa-input', '什么是 goroutine？');
  await student.check('#qa-anonymous');
  await student.click('#qa-ask');
  await student.waitForFunction(() => document.querySelectorAll('#qa-list [data-question]').length === 1, null, { timeout: 10000 });
  await student.fill('#qa-input', 'Why <b>channels</b>?');
  await student.click('#qa-ask');
  await student.waitForFunction(() => document.querySelectorAll('#qa-list [data-question]').length === 2, null, { timeout: 10000 });
  const second = await student.$eval('#qa-list [data-question]:last-child', (li) => li.dataset.question);
  await student.click(`#qa-list [data-upvote="${second}"]`);
  await teacher.waitForFunction((id) => document.querySelector('#qa-list [data-question]')?.dataset.question === id
    && document.querySelector('#qa-list [data-question] .vote-count')?.textContent === '1', second, { timeout: 10000 });
  const teacherOrder = await teacher.$$eval('#qa-list .qa-text', (els) => els.map((e) => e.textContent));
  const anonAuthorForTeacher = await teacher.$eval('#qa-list [data-question]:last-child .qa-author', (el) => el.textContent);
  const studentUpvoteDisabled = await student.$eval(`#qa-list [data-upvote="${second}"]`, (b) => b.disabled);
  await sleep(300);
  const shots = [await screenshot(teacher, 'qa-teacher-zh'), await screenshot(student, 'qa-student-zh')];
  await teacher.click(`#qa-list [data-answer="${second}"]`);
  await student.waitForSelector(`#qa-list [data-question="${second}"].status-answered`, { timeout: 10000 });

  // Screenshots of the other panels, in Chinese.
  await student.click('#toggle-hand');
  await openTab(teacher, 'participants');
  await teacher.waitForSelector('#participant-list [data-hand="true"]', { timeout: 10000 });
  await teacher.click('#participant-list [data-participant] details.menu summary');
  await sleep(200);
  shots.push(await screenshot(teacher, 'people-menu-zh'));
  await teacher.keyboard.press('Escape');
  await openTab(teacher, 'chat');
  await teacher.click('#chat-settings summary');
  await sleep(200);
  shots.push(await screenshot(teacher, 'chat-settings-zh'));
  await openTab(teacher, 'polls');
  await teacher.click('#poll-new');
  await teacher.check('#poll-quiz');
  await sleep(200);
  shots.push(await screenshot(teacher, 'poll-form-zh'));
  await openTab(student, 'chat');
  shots.push(await screenshot(student, 'chat-student-zh'));
  return {
    teacherOrder, anonAuthorForTeacher, studentUpvoteDisabled,
    answered: await student.$eval(`#qa-list [data-question="${second}"] .badge-ok`, (el) => el.textContent),
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors],
  };
}, { totalMs: 50000, locale: 'zh-CN' });
