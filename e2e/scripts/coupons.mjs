// coupons.mjs <baseURL>
// Coupons from the course page: a teacher (the Go test grants the role)
// creates a priced course (EUR 40.00), submits it (the Go test approves
// it) and creates a 25 % coupon on the course page. A student buys the
// course with the coupon through the dev checkout and pays EUR 30.00; the
// teacher reloads and sees one redemption, then disables the coupon. A
// second coupon takes EUR 7.50 off: another student pays EUR 32.50. Every
// wait is bounded.
import { runBrowser, screenshot, signUp as signUpAt, signUpTeacher, submitForReview, createCourse, buyWithDevCheckout } from './lib.mjs';

const [base] = process.argv.slice(2);
const stamp = Date.now().toString(36);
const code = `SAVE${stamp}`.toUpperCase().slice(0, 32);
const amountCode = `OFF${stamp}`.toUpperCase().slice(0, 32);

runBrowser(async (newContext) => {
  const shots = [];
  const teacherEmail = `coupon-t-${stamp}@example.org`;
  const teacher = await signUpTeacher(await newContext(), base, 'Ms Zhou', teacherEmail);
  const { courseURL } = await createCourse(teacher,
    { title: `Go with a coupon ${stamp}`, summary: 'Cheaper this week', amount: '40.00', currency: 'EUR' });
  await submitForReview(teacher);

  await teacher.waitForSelector('#coupon-form', { timeout: 10000 });
  await teacher.fill('#coupon-code', code.toLowerCase());
  await teacher.selectOption('#coupon-kind', 'percent');
  await teacher.fill('#coupon-value', '25');
  await teacher.fill('#coupon-max', '10');
  await teacher.click('#coupon-create');
  const row = `#coupon-list [data-coupon="${code}"]`;
  await teacher.waitForSelector(row, { timeout: 10000 });
  const usedBefore = await teacher.$eval(row, (el) => Number(el.dataset.redeemed));
  // An amount off, in the course's currency: EUR 7.50.
  await teacher.fill('#coupon-code', amountCode);
  await teacher.selectOption('#coupon-kind', 'amount');
  await teacher.fill('#coupon-value', '7.50');
  await teacher.fill('#coupon-max', '5');
  await teacher.click('#coupon-create');
  const amountRow = `#coupon-list [data-coupon="${amountCode}"]`;
  await teacher.waitForSelector(amountRow, { timeout: 10000 });
  const amountText = await teacher.$eval(amountRow, (el) => el.textContent);

  const student = await signUpAt(await newContext(), base, 'Xu Ming', `coupon-s-${stamp}@example.org`);
  await student.goto(courseURL);
  await student.waitForSelector('#buy-coupon-toggle', { timeout: 10000 });
  await student.click('#buy-coupon-toggle');
  await student.fill('#buy-coupon', code.toLowerCase());
  await buyWithDevCheckout(student, courseURL);
  const orders = await student.evaluate(async () => (await (await fetch('/api/v1/me/orders')).json()).orders);
  const paid = orders.filter((o) => o.status === 'paid');
  shots.push(await screenshot(student, 'coupons-student'));

  const second = await signUpAt(await newContext(), base, 'Lu Yan', `coupon-s2-${stamp}@example.org`);
  await second.goto(courseURL);
  await second.waitForSelector('#buy-coupon-toggle', { timeout: 10000 });
  await second.click('#buy-coupon-toggle');
  await second.fill('#buy-coupon', amountCode.toLowerCase());
  await buyWithDevCheckout(second, courseURL);
  const paid2 = (await second.evaluate(async () => (await (await fetch('/api/v1/me/orders')).json()).orders))
    .filter((o) => o.status === 'paid');

  await teacher.reload();
  await teacher.waitForSelector(`${row}[data-redeemed="1"]`, { timeout: 10000 });
  const usedText = await teacher.$eval(`${row} .coupon-used`, (el) => el.textContent);
  shots.push(await screenshot(teacher, 'coupons-teacher'));
  await teacher.click(`${row} [data-disable]`);
  await teacher.waitForSelector(`${row}[data-ended="true"]`, { timeout: 10000 });
  const disabled = await teacher.$$eval(`${row} [data-disable]`, (els) => els.length === 0);

  return {
    usedBefore,
    orders: paid.length,
    listAmount: paid[0]?.list_amount,
    amount: paid[0]?.amount,
    coupon: paid[0]?.coupon,
    usedText,
    disabled,
    amountText,
    amountOrders: paid2.length,
    amountPaid: paid2[0]?.amount,
    amountCoupon: paid2[0]?.coupon,
    errors: [...teacher.errors, ...student.errors, ...second.errors],
    screenshots: shots.filter(Boolean),
  };
}, { totalMs: 130000 });
