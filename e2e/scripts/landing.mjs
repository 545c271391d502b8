// landing.mjs <baseURL>
// The course landing page and the teacher's lesson tools: a teacher (the
// Go test grants the role) creates a priced course with two lessons and
// submits it (the Go test approves it). A visitor sees the next lesson and
// one call to action, "sign in to buy"; a student sees Buy, buys through
// the dev checkout, and then sees the next lesson. The teacher starts a
// lesson: the catalogue card and the page say "live now" and the
// student's one call to action is "Join the live lesson". The teacher
// reschedules the second lesson and cancels it with a reason; the student
// sees it cancelled and a notice (the Go test checks the mails). The
// student also verifies the address with the link mailed at sign-up. The
// teacher's biography, written on the profile page, is on the landing
// page.
import { runBrowser, emit, waitLine, screenshot, signUp as signUpAt, signUpTeacher, submitForReview, createCourse, buyWithDevCheckout } from './lib.mjs';

const [base] = process.argv.slice(2);
const stamp = Date.now().toString(36);
const signUp = (ctx, name, email) => signUpAt(ctx, base, name, email);

// ctaOf waits for the page's call to action to settle and returns its kind.
async function ctaOf(page, kind) {
  await page.waitForSelector(`#course-cta[data-cta="${kind}"]`, { timeout: 10000 });
  return page.$eval('#course-cta', (el) => el.dataset.cta);
}

runBrowser(async (newContext) => {
  const shots = [];
  const teacherEmail = `hu-${stamp}@example.org`;
  const teacher = await signUpTeacher(await newContext(), base, 'Hu Shi', teacherEmail);
  // The teacher's biography, from the profile page, shown on the landing page.
  await teacher.goto(`${base}/account`);
  await teacher.waitForSelector('#profile-bio', { timeout: 10000 });
  await teacher.fill('#profile-bio', '北京大学教授，讲授先秦典籍。');
  await teacher.click('#profile-save');
  await teacher.waitForSelector('#profile-saved:not([hidden])', { timeout: 10000 });
  await teacher.goto(`${base}/courses`);
  const { courseURL, courseId } = await createCourse(teacher,
    { title: `Classical Chinese ${stamp}`, summary: 'Reading the classics', amount: '25.00', currency: 'EUR' });
  await teacher.fill('#lesson-title', 'The Analects');
  await teacher.click('#lesson-submit');
  await teacher.waitForSelector('#course-lessons [data-lesson]', { timeout: 5000 });
  const later = new Date(Date.now() + 3 * 86400e3);
  const pad = (n) => String(n).padStart(2, '0');
  const local = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  await teacher.fill('#lesson-title', 'Mencius');
  await teacher.fill('#lesson-start', local(later));
  await teacher.click('#lesson-submit');
  await teacher.waitForFunction(() => document.querySelectorAll('#course-lessons [data-lesson]').length === 2, null, { timeout: 5000 });
  const [first, second] = await teacher.$$eval('#course-lessons [data-lesson]', (els) => els.map((e) => e.dataset.lesson));
  // A cover image, from the editor (a 2×1 PNG).
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAADklEQVR4nGP4z8DwH4QBEfcD/ePF9e8AAAAASUVORK5CYII=', 'base64');
  await teacher.setInputFiles('#cover-file', { name: 'cover.png', mimeType: 'image/png', buffer: png });
  await teacher.waitForSelector('.course-head img.course-cover', { timeout: 5000 });
  await submitForReview(teacher);

  // A visitor: the next lesson, and one call to action.
  const visitor = await (await newContext()).newPage();
  visitor.errors = [];
  visitor.on('pageerror', (e) => visitor.errors.push(`visitor: ${e.message}`));
  await visitor.goto(courseURL);
  const visitorCTA = await ctaOf(visitor, 'buy');
  await visitor.waitForSelector('#course-cta #buy-signin', { timeout: 5000 });
  const visitorNext = await visitor.$eval('#course-next', (el) => el.dataset.lesson);
  const coverShown = await visitor.waitForFunction(() => {
    const img = document.querySelector('.course-head img.course-cover');
    return img && img.complete && img.naturalWidth === 2;
  }, null, { timeout: 5000 }).then(() => true, () => false);
  const summary = await visitor.$eval('#syllabus-summary', (el) => el.dataset.count);
  await visitor.waitForSelector('#teacher-profile:not([hidden]) #teacher-bio', { timeout: 10000 });
  const teacherBio = await visitor.$eval('#teacher-bio', (el) => el.textContent);
  const teacherName = await visitor.$eval('#teacher-name', (el) => el.textContent);
  const teacherHeading = await visitor.$eval('#teacher-profile h2', (el) => el.textContent);
  const primaries = await visitor.$$eval('main .btn-primary', (els) => els.length);
  shots.push(await screenshot(visitor, 'landing-visitor'));

  // A student buys from the landing page.
  const studentEmail = `yan-${stamp}@example.org`;
  const student = await signUp(await newContext(), 'Yan Hui', studentEmail);
  // Sign-up mailed a verification link: the Go test reads it from the
  // outbox and hands it over.
  await student.goto(`${base}/account`);
  await student.waitForSelector('#email-status', { timeout: 5000 });
  const verifiedBefore = await student.$eval('#email-status', (el) => el.dataset.verified);
  emit({ event: 'verify', email: studentEmail });
  await student.goto((await waitLine(15000)).trim());
  await student.waitForSelector('#verify-result[data-ok="true"]', { timeout: 5000 });
  await student.goto(`${base}/account`);
  await student.waitForSelector('#email-status', { timeout: 5000 });
  const verifiedAfter = await student.$eval('#email-status', (el) => el.dataset.verified);
  await student.goto(courseURL);
  const studentCTA = await ctaOf(student, 'buy');
  await student.waitForSelector('#course-cta #buy-button', { timeout: 5000 });
  await buyWithDevCheckout(student, courseURL);
  await student.reload();
  await student.waitForSelector('#course-cta:is([data-cta="next"], [data-cta="join"])', { timeout: 10000 });
  const ownerCTA = await student.$eval('#course-cta', (el) => el.dataset.cta);

  // The teacher starts the first lesson.
  await teacher.evaluate(async (id) => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch(`/api/v1/lessons/${id}/status`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }, body: JSON.stringify({ status: 'live' }),
    });
    if (!r.ok) throw new Error(`go live: ${r.status}`);
  }, first);
  await student.goto(`${base}/courses`);
  await student.waitForSelector(`#catalogue [data-course="${courseId}"] [data-live="${first}"]`, { timeout: 10000 });
  shots.push(await screenshot(student, 'catalogue-live'));
  await student.goto(courseURL);
  const liveCTA = await ctaOf(student, 'live');
  const liveBanner = await student.$eval('#course-live', (el) => el.dataset.lesson);
  const joinHref = await student.$eval('#cta-join', (el) => el.getAttribute('href'));
  shots.push(await screenshot(student, 'landing-live'));

  // An administrator sees it in "live lessons now" and ends it.
  emit({ event: 'admin' });
  const [adminEmail, adminPassword] = (await waitLine(15000)).trim().split(' ');
  const admin = await (await newContext()).newPage();
  admin.errors = [];
  admin.on('pageerror', (e) => admin.errors.push(`admin: ${e.message}`));
  admin.on('dialog', (d) => d.accept());
  await admin.goto(`${base}/signin?next=/admin`);
  await admin.fill('#signin-email', adminEmail);
  await admin.fill('#signin-password', adminPassword);
  await admin.click('#signin-submit');
  await admin.waitForSelector(`#live-lessons [data-live-lesson="${first}"]`, { timeout: 10000 });
  shots.push(await screenshot(admin, 'admin-live'));
  await admin.click(`#live-lessons [data-end="${first}"]`);
  await admin.waitForSelector(`#live-lessons [data-live-lesson="${first}"]`, { state: 'detached', timeout: 10000 });
  await student.reload();
  await student.waitForSelector('#course-cta:not([data-cta="live"])', { timeout: 10000 });
  const afterEndCTA = await student.$eval('#course-cta', (el) => el.dataset.cta);

  // The teacher's roster lists the student.
  await teacher.reload();
  await teacher.click('#roster-show');
  await teacher.waitForSelector('#roster [data-student]', { timeout: 5000 });
  const roster = await teacher.$$eval('#roster [data-student] strong', (els) => els.map((e) => e.textContent));

  // The teacher moves the second lesson a day later, then cancels it.
  await teacher.click(`[data-lesson-edit="${second}"]`);
  const moved = new Date(later.getTime() + 86400e3);
  await teacher.fill(`#lesson-${second} [data-edit-start]`, local(moved));
  await teacher.click(`#lesson-${second} [data-edit-save]`);
  await teacher.waitForFunction(([id, t]) => {
    const el = document.querySelector(`#lesson-${id} .when`);
    return el && el.dataset.i18nVars && el.dataset.i18nVars.includes(t);
  }, [second, String(moved.getDate())], { timeout: 5000 });
  await teacher.click(`[data-lesson-cancel="${second}"]`);
  await teacher.fill(`#lesson-${second} [data-cancel-reason]`, 'The teacher is travelling');
  await teacher.click(`#lesson-${second} [data-cancel-confirm]`);
  await teacher.waitForSelector(`[data-cancelled="${second}"]`, { timeout: 5000 });
  shots.push(await screenshot(teacher, 'landing-teacher-cancelled'));

  await student.reload();
  await student.waitForSelector(`[data-cancelled="${second}"]`, { timeout: 5000 });
  const reasonShown = await student.$eval(`#lesson-${second} .cancel-reason`, (el) => el.textContent);
  await student.goto(`${base}/courses`);
  await student.waitForSelector('#notices [data-notice="lesson.cancelled"]', { timeout: 5000 });
  const noticeText = await student.$eval('#notices [data-notice="lesson.cancelled"]', (el) => el.textContent);

  return {
    courseId, first, second, studentEmail,
    verifiedBefore, verifiedAfter, visitorCTA, visitorNext, summary, primaries, studentCTA, ownerCTA, liveCTA, liveBanner, joinHref, reasonShown, noticeText,
    screenshots: shots.filter(Boolean),
    afterEndCTA, roster, coverShown, teacherBio, teacherName, teacherHeading,
    errors: [...teacher.errors, ...student.errors, ...visitor.errors, ...admin.errors],
  };
}, { totalMs: 110000 });
