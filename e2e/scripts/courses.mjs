// courses.mjs <baseURL>
// Accounts and courses in the browser: a teacher signs up (the Go test
// then grants the teacher role, as an admin would), creates a course and
// schedules a lesson; a second account signs up, enrols from the course
// page and joins the lesson room from there (the room asks for its own join
// token: none in the URL); the teacher joins too.
import { runBrowser, waitStatus, screenshot, sleep, signUp as signUpAt, signUpTeacher, createCourse, submitForReview } from './lib.mjs';

const [base] = process.argv.slice(2);
const stamp = Date.now().toString(36);

const signUp = (ctx, name, email) => signUpAt(ctx, base, name, email);

runBrowser(async (newContext) => {
  const shots = [];
  const teacherEmail = `teacher-${stamp}@example.org`;
  const teacher = await signUpTeacher(await newContext(), base, 'Ms Li', teacherEmail);
  const { courseURL } = await createCourse(teacher, { title: 'Go for teachers', summary: 'Ten evenings of Go',
    description: 'Goroutines,\nchannels and <script>alert(1)</script>.' });
  await teacher.fill('#lesson-title', 'Goroutines');
  await teacher.click('#lesson-submit');
  await teacher.waitForSelector('#course-lessons [data-lesson] [data-join]', { timeout: 10000 });
  await submitForReview(teacher);
  await teacher.waitForSelector('#course-lessons [data-lesson] [data-join]', { timeout: 10000 });
  shots.push(await screenshot(teacher, 'course-teacher'));

  const student = await signUp(await newContext(), 'Wang', `student-${stamp}@example.org`);
  await student.goto(courseURL);
  await student.waitForSelector('#course-enrol', { timeout: 10000 });
  const description = await student.$eval('.course-description', (el) => el.textContent);
  const joinBefore = await student.$$eval('#course-lessons [data-join]', (els) => els.length);
  await student.click('#course-enrol');
  await student.waitForSelector('#course-relation', { timeout: 10000 });
  shots.push(await screenshot(student, 'course-student'));
  await student.click('#course-lessons [data-join]');
  await student.waitForURL(/\/lesson\/[^/?]+$/, { timeout: 10000 });
  const studentRoomURL = student.url();
  await waitStatus(student, 'live', 20000);

  await teacher.click('#course-lessons [data-join]');
  await waitStatus(teacher, 'ready', 20000);
  await student.waitForFunction(() => document.querySelectorAll('#participant-list [data-participant]').length === 2, null, { timeout: 15000 });
  await sleep(300);
  shots.push(await screenshot(student, 'course-room-student'));

  await student.goto(`${base}/courses`);
  await student.waitForSelector('#upcoming-lessons [data-lesson]', { timeout: 10000 });
  shots.push(await screenshot(student, 'courses-student'));
  return {
    courseURL,
    description,
    joinBefore,
    studentRoomURL,
    roomTitle: await teacher.$eval('.room-title', (el) => el.textContent),
    teacherView: await teacher.$eval('.room', (el) => el.dataset.view),
    teacherRole: await teacher.$eval('.room', (el) => el.dataset.role),
    upcoming: await student.$$eval('#upcoming-lessons [data-lesson] .lesson-title', (els) => els.map((e) => e.textContent)),
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors],
  };
}, { totalMs: 85000 });
