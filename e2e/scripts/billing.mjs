// billing.mjs <baseURL>
// Paid courses in the browser: a teacher signs up (the Go test grants the
// teacher role), creates a course with a price and two lessons, one a free
// preview; a student (UI in Chinese) sees the price and the buy button,
// enrols for free (only the preview is joinable; the paid lesson answers
// 402), buys through the dev checkout page (double click: one order),
// returns to the course page, which polls the order until paid, and joins
// the paid lesson. Every wait is bounded.
import { runBrowser, emit, screenshot, signUp as signUpAt, signUpTeacher, submitForReview } from './lib.mjs';

const [base] = process.argv.slice(2);
const stamp = Date.now().toString(36);

const signUp = (ctx, name, email) => signUpAt(ctx, base, name, email);

async function scheduleLesson(page, title, n) {
  await page.fill('#lesson-title', title);
  await page.click('#lesson-submit');
  await page.waitForFunction((k) => document.querySelectorAll('#course-lessons [data-lesson]').length === k, n, { timeout: 5000 });
}

async function lessonId(page, title) {
  return page.$$eval('#course-lessons [data-lesson]', (rows, t) =>
    rows.find((r) => r.querySelector('.lesson-title')?.textContent === t)?.dataset.lesson || '', title);
}

runBrowser(async (newContext) => {
  const shots = [];
  const teacherEmail = `teacher-${stamp}@example.org`;
  const teacher = await signUpTeacher(await newContext(), base, 'Ms Li', teacherEmail);
  await teacher.click('#course-new', { timeout: 5000 });
  await teacher.fill('#course-title', 'Paid Go');
  await teacher.fill('#course-summary', 'Ten evenings of Go');
  await teacher.fill('#course-price-amount', '49.00');
  await teacher.fill('#course-price-currency', 'EUR');
  shots.push(await screenshot(teacher, 'billing-course-form'));
  await teacher.click('#course-submit');
  await teacher.waitForURL(/\/courses\/[^/]+$/, { timeout: 10000 });
  const courseURL = teacher.url();
  await teacher.waitForSelector('#course-price', { timeout: 5000 });
  await scheduleLesson(teacher, 'Goroutines', 1);
  await scheduleLesson(teacher, 'Welcome', 2);
  const paidLesson = await lessonId(teacher, 'Goroutines');
  const previewLesson = await lessonId(teacher, 'Welcome');
  await Promise.all([
    teacher.waitForResponse((r) => r.url().endsWith('/free-preview') && r.status() === 200, { timeout: 5000 }),
    teacher.click(`[data-preview-toggle="${previewLesson}"]`),
  ]);
  shots.push(await screenshot(teacher, 'billing-course-teacher'));
  await submitForReview(teacher);

  const student = await signUp(await newContext(), '王同学', `student-${stamp}@example.org`);
  await student.evaluate(() => localStorage.setItem('lectern.lang', 'zh-CN'));
  await student.goto(courseURL);
  await student.waitForSelector('#buy-button', { timeout: 5000 });
  const priceText = await student.$eval('#course-price', (el) => el.textContent);
  const buyText = await student.$eval('#buy-button', (el) => el.textContent);
  const joinBefore = await student.$$eval('#course-lessons [data-join]', (els) => els.length);
  // The dev provider: every page says that no money moves.
  await student.waitForSelector('#test-payments-banner', { timeout: 5000 });
  const pageBanner = await student.$eval('#test-payments-banner', (el) => el.textContent);
  shots.push(await screenshot(student, 'billing-course-zh'));

  // Enrol for free: the preview opens, the paid lesson does not.
  await student.click('#course-enrol');
  await student.waitForSelector('#course-relation', { timeout: 5000 });
  await student.waitForSelector(`[data-lesson="${paidLesson}"] [data-locked]`, { timeout: 5000 });
  const previewJoinable = !!(await student.$(`[data-lesson="${previewLesson}"] [data-join]`));
  const paidLocked = !(await student.$(`[data-lesson="${paidLesson}"] [data-join]`));
  const paidJoinStatus = await student.evaluate(async (id) => {
    let csrf = sessionStorage.getItem('lectern.csrf');
    if (!csrf) csrf = (await (await fetch('/api/v1/session')).json()).csrf_token;
    const r = await fetch(`/api/v1/lessons/${id}/join`, { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
    return r.status;
  }, paidLesson);

  // Buy: a double click opens one order; pay on the dev checkout page.
  await student.dblclick('#buy-button');
  await student.waitForURL(/\/api\/v1\/billing\/dev\/checkout\//, { timeout: 10000 });
  const checkoutPath = true;
  const checkoutBanner = await student.$eval('#test-payments-banner', (el) => el.textContent);
  await student.click('button[value="pay"]');
  await student.waitForSelector('.result', { timeout: 5000 });
  await student.click('.box a[href^="/courses/"]');
  await student.waitForURL(courseURL, { timeout: 5000 });
  await student.waitForSelector('#order-status[data-state="paid"]', { timeout: 15000 });
  const orderState = await student.$eval('#order-status', (el) => el.dataset.state);
  await student.waitForSelector(`[data-lesson="${paidLesson}"] [data-join]`, { timeout: 5000 });
  const orders = await student.evaluate(async () => (await (await fetch('/api/v1/me/orders')).json()).orders.length);

  // My purchases, with the receipt open.
  await student.goto(`${base}/purchases`);
  await student.waitForSelector('#purchases [data-order]', { timeout: 5000 });
  const purchaseStatus = await student.$eval('#purchases [data-order]', (el) => el.dataset.status);
  await student.click('#purchases [data-receipt]');
  await student.waitForSelector('#purchases .receipt', { timeout: 5000 });
  shots.push(await screenshot(student, 'billing-purchases-zh'));

  // The paid lesson now opens.
  await student.goto(courseURL);
  await student.click(`[data-lesson="${paidLesson}"] [data-join]`, { timeout: 5000 });
  await student.waitForURL(/\/lesson\/[^/?]+$/, { timeout: 5000 });
  const roomURL = student.url();
  await student.waitForSelector('#status[data-status="ready"], #status[data-status="live"]', { timeout: 10000 });
  const roomTitle = await student.$eval('.room-title', (el) => el.textContent);

  // A refund: the student asks, the teacher approves 20.00 of 49.00.
  await student.goto(`${base}/purchases`);
  await student.click('#purchases [data-refund-request]', { timeout: 5000 });
  await student.fill('[data-refund-reason]', 'schedule clash');
  await student.click('[data-refund-send]');
  await student.waitForSelector('#purchases .refund-list [data-status="requested"]', { timeout: 5000 });
  await teacher.goto(`${base}/refunds`);
  await teacher.waitForSelector('#refunds [data-refund][data-status="requested"]', { timeout: 5000 });
  const refundReason = await teacher.$eval('#refunds .refund-reason', (el) => el.textContent);
  await teacher.fill('[data-approve-amount]', '20.00');
  shots.push(await screenshot(teacher, 'billing-refunds'));
  await teacher.click('[data-approve]');
  await teacher.waitForSelector('#refunds li.muted', { timeout: 5000 });
  const orderAfterRefund = await student.evaluate(async () => (await (await fetch('/api/v1/me/orders')).json()).orders[0]);

  // Revenue: this month, gross 49.00, refunds 20.00, net 29.00, with the CSV.
  await teacher.goto(`${base}/revenue`);
  await teacher.waitForSelector('#revenue tr[data-month]', { timeout: 5000 });
  const revenueCells = await teacher.$$eval('#revenue tr[data-month] td', (tds) => tds.map((td) => td.textContent));
  const csvHref = await teacher.$eval('#revenue-csv', (a) => a.getAttribute('href'));
  const csvText = await teacher.evaluate(async (href) => (await fetch(href)).text(), csvHref);
  shots.push(await screenshot(teacher, 'billing-revenue'));
  emit({ event: 'step', step: 'statements' });
  await teacher.waitForSelector('#statements tr[data-month]', { timeout: 5000 });
  const statementCells = await teacher.$$eval('#statements tr[data-month] td', (tds) => tds.map((td) => td.textContent));

  // A QR-code checkout: a second student picks the test provider's QR
  // method, the order page draws the code; "the phone" pays on the
  // checkout page the code opens, and the first page turns paid by itself.
  const buyer = await signUp(await newContext(), 'Sam', `qr-${stamp}@example.org`);
  emit({ event: 'step', step: 'qr' });
  await buyer.goto(courseURL);
  await buyer.waitForSelector('#pay-choice input[value="dev/native"]', { timeout: 5000 });
  const payOptions = await buyer.$$eval('#pay-choice input[name="pay"]', (els) => els.map((e) => e.value));
  await buyer.check('#pay-choice input[value="dev/native"]');
  await buyer.click('#buy-button');
  await buyer.waitForURL(/\/purchases\/[0-9a-f-]{36}$/, { timeout: 10000 });
  await buyer.waitForSelector('#qr-code', { timeout: 10000 });
  await buyer.waitForFunction(() => document.querySelector('#qr-code')?.naturalWidth > 0, null, { timeout: 5000 });
  const qrSize = await buyer.$eval('#qr-code', (img) => img.naturalWidth);
  shots.push(await screenshot(buyer, 'billing-qr'));
  emit({ event: 'step', step: 'qr shown' });
  const qrOrder = buyer.url().split('/').pop();
  const qrCheckoutURL = await buyer.evaluate(async (id) => (await (await fetch(`/api/v1/orders/${id}`)).json()).checkout_url, qrOrder);
  const phone = await buyer.context().newPage();
  await phone.goto(new URL(qrCheckoutURL, base).href);
  const paidAt = Date.now();
  await phone.click('button[value="pay"]');
  await buyer.waitForSelector('#order-status[data-state="paid"]', { timeout: 10000 });
  const qrPaidMs = Date.now() - paidAt;
  const qrGone = !(await buyer.$('#qr-code'));

  return {
    refundReason,
    refundedStatus: orderAfterRefund?.status,
    refunded: orderAfterRefund?.refunded,
    revenueCells,
    statementCells,
    payOptions,
    qrSize,
    qrPaidMs,
    qrGone,
    csvHref,
    csvLines: csvText.trim().split('\n').length,
    courseURL,
    priceText,
    buyText,
    joinBefore,
    previewJoinable,
    paidLocked,
    paidJoinStatus,
    checkoutPath,
    pageBanner,
    checkoutBanner,
    orderState,
    orders,
    purchaseStatus,
    roomURL,
    roomTitle,
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors, ...buyer.errors],
  };
}, { totalMs: 120000 });
