// exercises.mjs <baseURL>
// Exercises in the browser: a teacher writes an exercise (a single-choice
// question with an explanation and a short answer); a student (in
// Chinese) answers, sees the objective part graded at once with the key
// and explanation; the teacher grades the short answer with a comment; the
// student sees the comment; the gradebook shows the total.
import { runBrowser, screenshot, signUp, signUpTeacher, createCourse, submitForReview } from './lib.mjs';

const [base] = process.argv.slice(2);
const stamp = Date.now().toString(36);

runBrowser(async (newContext) => {
  const shots = [];
  const email = `teacher-${stamp}@example.org`;
  const teacher = await signUpTeacher(await newContext(), base, 'Ms Li', email);
  await createCourse(teacher, { title: 'Quiz course' });
  await submitForReview(teacher); // students see published courses only
  const courseURL = teacher.url();
  await teacher.click('#course-exercises');
  await teacher.waitForSelector('#ex-new', { timeout: 10000 });
  await teacher.click('#ex-new');
  await teacher.fill('#ex-title', 'Week 1');
  await teacher.fill('#ex-attempts', '1');
  const q1 = '#ex-questions [data-question]:nth-of-type(1)';
  await teacher.selectOption(`${q1} [data-q-type]`, 'single');
  await teacher.fill(`${q1} [data-q-prompt]`, '2+2?');
  await teacher.fill(`${q1} [data-q-choices]`, '3\n4\n5');
  await teacher.fill(`${q1} [data-q-correct]`, '2');
  await teacher.fill(`${q1} [data-q-points]`, '2');
  await teacher.fill(`${q1} [data-q-explanation]`, 'Two and two make four.');
  await teacher.click('#ex-add-question');
  const q2 = '#ex-questions [data-question]:nth-of-type(2)';
  await teacher.selectOption(`${q2} [data-q-type]`, 'short');
  await teacher.fill(`${q2} [data-q-prompt]`, 'What is a goroutine?');
  await teacher.fill(`${q2} [data-q-points]`, '5');
  await teacher.click('#ex-save');
  await teacher.waitForSelector('#ex-list [data-exercise]', { timeout: 10000 });

  const student = await signUp(await newContext(), base, '王同学', `student-${stamp}@example.org`);
  await student.goto(courseURL);
  await student.waitForSelector('#course-enrol', { timeout: 10000 });
  await student.click('#course-enrol');
  await student.waitForSelector('#course-exercises', { timeout: 10000 });
  await student.selectOption('#lang-switch', 'zh-CN');
  await student.click('#course-exercises');
  await student.waitForSelector('#ex-list [data-ex-open]', { timeout: 10000 });
  await student.click('#ex-list [data-ex-open]');
  await student.waitForSelector('#ex-submit', { timeout: 10000 });
  const keyBefore = await student.$$eval('[data-key]', (els) => els.length);
  await student.check('[data-type="single"] [data-choice="1"]');
  await student.fill('[data-type="short"] [data-text]', 'A function running concurrently.');
  await student.click('#ex-submit');
  await student.waitForSelector('#ex-results [data-submission]', { timeout: 10000 });
  const result = await student.$eval('#ex-results [data-submission]', (el) => ({
    score: el.dataset.score, status: el.dataset.status, text: el.textContent,
    single: el.querySelector('[data-result]')?.dataset.correct,
  }));
  shots.push(await screenshot(student, 'exercise-student'));
  await student.click('#ex-submit');
  await student.waitForSelector('[data-error="no_attempts_left"]', { timeout: 10000 });
  const again = await student.$eval('[data-error="no_attempts_left"]', (el) => el.textContent);

  await teacher.reload();
  await teacher.waitForSelector('#ex-list [data-ex-grade]', { timeout: 10000 });
  await teacher.click('#ex-list [data-ex-grade]');
  await teacher.waitForSelector('[data-grade-save]', { timeout: 10000 });
  await teacher.fill('[data-grade-points]', '4');
  await teacher.fill('[data-grade-comment]', 'Good; mention the scheduler.');
  await teacher.click('[data-grade-save]');
  await teacher.waitForSelector('#ex-detail [data-submission][data-status="graded"]', { timeout: 10000 });
  await teacher.reload();
  await teacher.waitForSelector('#gradebook tbody tr', { timeout: 10000 });
  const gradebookRow = await teacher.$eval('#gradebook tbody tr', (el) => el.textContent);
  shots.push(await screenshot(teacher, 'exercise-gradebook'));

  await student.reload();
  await student.waitForSelector('#ex-list [data-ex-open]', { timeout: 10000 });
  await student.click('#ex-list [data-ex-open]');
  await student.waitForSelector('#ex-results [data-comment]', { timeout: 10000 });
  const comment = await student.$eval('#ex-results [data-comment]', (el) => el.textContent);
  return {
    keyBefore, result, again, gradebookRow, comment,
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors],
  };
}, { totalMs: 75000 });
