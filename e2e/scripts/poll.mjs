// poll.mjs <teacherURL> <studentURL>
// A poll: the teacher creates a single-choice quiz, the student votes and
// changes the vote, the teacher sees the live count, closes the poll, and
// both see the results (the teacher with a CSV link).
import { run, openPage, waitStatus, openTab, screenshot, sleep } from './lib.mjs';

const [teacherURL, studentURL] = process.argv.slice(2);

const barCounts = (page) => page.$$eval('#poll-results [data-state="closed"] .poll-bar', (els) => els.map((e) => Number(e.dataset.count)));

run(async (ctx) => {
  const teacher = await openPage(ctx, teacherURL, 'teacher');
  await waitStatus(teacher, 'ready');
  const student = await openPage(ctx, studentURL, 'student');
  await waitStatus(student, 'live');
  await openTab(teacher, 'polls');
  await openTab(student, 'polls');

  await teacher.click('#poll-new');
  await teacher.fill('#poll-question', 'What is 2 + 2?');
  await teacher.fill('#poll-options [data-index="0"].poll-option-input', '3');
  await teacher.fill('#poll-options [data-index="1"].poll-option-input', '4');
  await teacher.click('#poll-add-option');
  await teacher.fill('#poll-options [data-index="2"].poll-option-input', '5');
  await teacher.check('#poll-quiz');
  await teacher.check('#poll-options .poll-correct[data-index="1"]');
  await teacher.selectOption('#poll-timer', '120');
  const shots = [await screenshot(teacher, 'poll-teacher-form')];
  await teacher.click('#poll-create');

  await student.waitForSelector('#poll-open [data-state="open"] .poll-option', { timeout: 10000 });
  const question = await student.$eval('#poll-open .poll-question', (el) => el.textContent);
  await student.check('#poll-open .poll-option input[value="0"]');
  await student.click('#poll-open [data-vote]');
  await student.waitForSelector('#poll-open [data-change]', { timeout: 10000 });
  await teacher.waitForSelector('#poll-open .poll-total[data-total="1"]', { timeout: 10000 });
  // Change the vote to the right answer.
  await student.click('#poll-open [data-change]');
  await student.check('#poll-open .poll-option input[value="1"]');
  await student.click('#poll-open [data-vote]');
  await teacher.waitForSelector('#poll-open .poll-bar[data-option="1"][data-count="1"]', { timeout: 10000 });
  await student.waitForSelector('#poll-open [data-change]', { timeout: 10000 });
  await sleep(300);
  shots.push(await screenshot(teacher, 'poll-teacher-live'), await screenshot(student, 'poll-student-voted'));

  await teacher.click('#poll-open [data-close]');
  await student.waitForSelector('#poll-results [data-state="closed"]', { timeout: 10000 });
  await teacher.waitForSelector('#poll-results [data-state="closed"]', { timeout: 10000 });
  const csv = await teacher.$eval('#poll-results .poll-csv', (a) => a.getAttribute('href'));
  const studentCsv = await student.$$eval('#poll-results .poll-csv', (els) => els.length);
  const verdict = await student.$eval('#poll-results .poll-verdict', (el) => el.className);
  await sleep(300);
  shots.push(await screenshot(teacher, 'poll-teacher-results'), await screenshot(student, 'poll-student-results'));
  return {
    question,
    teacherCounts: await barCounts(teacher),
    studentCounts: await barCounts(student),
    correctMarked: await student.$$eval('#poll-results .poll-bar.correct', (els) => els.map((e) => e.dataset.option)),
    csv, studentCsv, verdict,
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors],
  };
}, { totalMs: 50000 });
