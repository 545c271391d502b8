// review.mjs <baseURL> <adminEmail> <adminPassword>
// Publishing with review in the browser: a would-be teacher applies from
// the profile; the admin approves the application in /admin; the teacher
// creates a priced course with a lesson and submits it; the admin approves
// it from the review queue; a student finds it with the catalogue search
// (an English word, then a Chinese one that only its tag holds), sees its
// tags on the card and the landing page, follows a tag to the catalogue
// filtered by it, and buys it through the dev checkout. The teacher adds
// a material, which waits for review: the student sees it once the admin
// approves it from the console's material queue. Then the admin finds the
// student in the console and gives the reviewer role.
import { runBrowser, emit, screenshot, signUp as signUpAt, createCourse, buyWithDevCheckout } from './lib.mjs';

const [base, adminEmail, adminPassword] = process.argv.slice(2);
const stamp = Date.now().toString(36);
const signUp = (ctx, name, email) => signUpAt(ctx, base, name, email);

async function signIn(ctx, email, password) {
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`admin: ${e.message}`));
  await page.goto(`${base}/signin?next=/admin`);
  await page.fill('#signin-email', email);
  await page.fill('#signin-password', password);
  await page.click('#signin-submit');
  await page.waitForURL(`${base}/admin`, { timeout: 15000 });
  return page;
}

runBrowser(async (newContext) => {
  const shots = [];
  const teacherEmail = `zhao-${stamp}@example.org`;
  const teacher = await signUp(await newContext(), 'Zhao Lei', teacherEmail);
  const newBefore = !!(await teacher.$('#course-new'));

  // Apply to teach from the profile.
  await teacher.goto(`${base}/account`);
  await teacher.fill('#teach-message', 'I teach Rust to poets.');
  await teacher.click('#teach-apply');
  await teacher.waitForSelector('#teach-status[data-status="pending"]', { timeout: 5000 });

  // The admin approves the application.
  const admin = await signIn(await newContext(), adminEmail, adminPassword);
  const appRow = `#teacher-applications [data-email="${teacherEmail}"]`;
  await admin.waitForSelector(appRow, { timeout: 10000 });
  shots.push(await screenshot(admin, 'admin-applications'));
  await admin.click(`${appRow} [data-approve]`);
  await admin.waitForSelector(appRow, { state: 'detached', timeout: 5000 });

  // The teacher, now a teacher, creates a priced course and submits it.
  await teacher.goto(`${base}/account`);
  await teacher.waitForSelector('#teach-status[data-status="approved"]', { timeout: 5000 });
  await teacher.goto(`${base}/courses`);
  const title = `Rust for Poets ${stamp}`;
  const zhTag = '现代诗歌';
  const { courseURL, courseId } = await createCourse(teacher,
    { title, summary: 'Ownership, in verse', amount: '19.00', currency: 'EUR', tags: `Rust， ${zhTag}` });
  await teacher.fill('#lesson-title', 'Borrowing');
  await teacher.click('#lesson-submit');
  await teacher.waitForSelector('#course-lessons [data-lesson]', { timeout: 5000 });
  const stateBefore = await teacher.$eval('#course-state', (el) => el.dataset.state);
  await teacher.click('#course-submit-review');
  await teacher.waitForSelector('#course-state[data-state="in_review"]', { timeout: 5000 });

  // Not in the catalogue yet.
  const student = await signUp(await newContext(), 'Wang', `wang-${stamp}@example.org`);
  await student.fill('#catalogue-search', 'Poets');
  await student.click('#catalogue-search-button');
  await student.waitForFunction(() => document.querySelector('#catalogue')?.dataset.query === 'Poets', null, { timeout: 5000 });
  const foundBefore = await student.$$eval(`#catalogue [data-course="${courseId}"]`, (els) => els.length);

  // The admin approves the course from the review queue.
  await admin.reload();
  const reviewRow = `#review-queue [data-review="${courseId}"]`;
  await admin.waitForSelector(reviewRow, { timeout: 10000 });
  shots.push(await screenshot(admin, 'admin-review-queue'));
  await admin.click(`${reviewRow} [data-approve]`);
  await admin.waitForSelector(reviewRow, { state: 'detached', timeout: 5000 });

  // The teacher is told, in the app.
  await teacher.goto(`${base}/courses`);
  await teacher.waitForSelector('#notices [data-notice="course.approved"]', { timeout: 5000 });
  const noticeText = await teacher.$eval('#notices [data-notice="course.approved"]', (el) => el.textContent);

  // The student finds it by search and buys it from its landing page.
  await student.reload();
  await student.fill('#catalogue-search', 'poets');
  await student.click('#catalogue-search-button');
  await student.waitForSelector(`#catalogue [data-course="${courseId}"]`, { timeout: 5000 });
  shots.push(await screenshot(student, 'catalogue-search'));
  const card = `#catalogue [data-course="${courseId}"]`;
  const cardTags = await student.$$eval(`${card} [data-tag]`, (els) => els.map((el) => el.dataset.tag));
  // A Chinese word inside unspaced text, in the tag only.
  const zhQuery = '诗歌';
  await student.fill('#catalogue-search', zhQuery);
  await student.click('#catalogue-search-button');
  await student.waitForFunction((q) => document.querySelector('#catalogue')?.dataset.query === q, zhQuery, { timeout: 5000 });
  const foundChinese = await student.$$eval('#catalogue [data-course]', (els) => els.map((el) => el.dataset.course));
  await student.click(card);
  await student.waitForURL(courseURL, { timeout: 5000 });
  await student.waitForSelector('.course-head [data-tags] a.tag', { timeout: 5000 });
  const landingTags = await student.$$eval('.course-head [data-tags] a.tag', (els) => els.map((el) => el.dataset.tag));
  shots.push(await screenshot(student, 'landing-tags'));
  // The tag leads to the catalogue filtered by it.
  await student.click(`.course-head a.tag[data-tag="${zhTag}"]`);
  await student.waitForFunction((tag) => document.querySelector('#catalogue')?.dataset.tag === tag, zhTag, { timeout: 5000 });
  const foundByTag = await student.$$eval('#catalogue [data-course]', (els) => els.map((el) => el.dataset.course));
  const tagURL = student.url();
  await student.goto(courseURL);
  await buyWithDevCheckout(student, courseURL);
  await student.waitForSelector('#course-lessons [data-join]', { timeout: 5000 });

  // A material added to the published course waits for review: the
  // teacher sees it pending, the student does not see it until the admin
  // approves it from the console's material queue.
  const materialsURL = `${courseURL}/materials`;
  await teacher.goto(materialsURL);
  await teacher.waitForSelector('#materials-upload', { timeout: 10000 });
  await teacher.setInputFiles('#materials-file', { name: 'handout.txt', mimeType: 'text/plain', buffer: Buffer.from('Borrowing, in verse.\n') });
  await teacher.waitForSelector('#materials-list [data-material][data-review="pending"]', { timeout: 20000 });
  const pendingText = await teacher.$eval('#materials-list [data-material][data-review="pending"]', (el) => el.textContent);
  await student.goto(materialsURL);
  await student.waitForSelector('#materials-list li', { timeout: 10000 }); // loaded: a material or "none"
  const studentMaterialsBefore = await student.$$eval('#materials-list [data-material]', (els) => els.length);
  await admin.reload();
  const matRow = '#material-queue [data-material-review]';
  await admin.waitForSelector(matRow, { timeout: 10000 });
  shots.push(await screenshot(admin, 'admin-material-queue'));
  await admin.click(`${matRow} [data-approve]`);
  await admin.waitForSelector(matRow, { state: 'detached', timeout: 5000 });
  await student.reload();
  await student.waitForSelector('#materials-list [data-material]', { timeout: 10000 });
  const studentMaterialsAfter = await student.$$eval('#materials-list [data-material]', (els) => els.length);

  // The admin console: find the student by email, make them a reviewer.
  const studentEmail = `wang-${stamp}@example.org`;
  await admin.fill('#account-search', `wang-${stamp}`);
  await admin.click('#account-search-button');
  const accRow = `#account-list [data-email="${studentEmail}"]`;
  await admin.waitForSelector(accRow, { timeout: 5000 });
  const rowsFound = await admin.$$eval('#account-list [data-account]', (els) => els.length);
  await admin.check(`${accRow} [data-role="reviewer"]`);
  await admin.click(`${accRow} [data-save-roles]`);
  await admin.waitForFunction((sel) => document.querySelector(`${sel} [data-role="reviewer"]`)?.checked === true
    && document.querySelector('.toast-ok') !== null, accRow, { timeout: 5000 });
  shots.push(await screenshot(admin, 'admin-accounts'));

  emit({ event: 'done' });
  return {
    newBefore, stateBefore, foundBefore, rowsFound, studentEmail, courseId, noticeText,
    zhTag, cardTags, foundChinese, landingTags, foundByTag, tagURL,
    pendingText, studentMaterialsBefore, studentMaterialsAfter,
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors, ...admin.errors],
  };
}, { totalMs: 140000 });
