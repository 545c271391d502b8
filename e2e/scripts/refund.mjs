// refund.mjs <baseURL>
// A paid lesson cut by a refund: a teacher (role granted by the Go test)
// creates a paid course and goes live in its room; a student (UI in
// Chinese) buys it through the dev checkout, opens the room and watches the
// teacher; the student asks for a full refund and the teacher approves it.
// The student's tab stops playing within seconds and says why. Every wait
// is bounded.
import { runBrowser, goLive, videoPlaying, screenshot, signUp as signUpAt, signUpTeacher, awaitApproval } from './lib.mjs';

const [base] = process.argv.slice(2);
const stamp = Date.now().toString(36);

// call sends a JSON request from page with the session's CSRF token.
function call(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    let csrf = sessionStorage.getItem('lectern.csrf');
    if (!csrf) csrf = (await (await fetch('/api/v1/session')).json()).csrf_token;
    const headers = { 'X-CSRF-Token': csrf, 'Idempotency-Key': `k-${Math.random()}` };
    if (b !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(p, { method: m, headers, body: b === undefined ? undefined : JSON.stringify(b) });
    let data = null;
    try { data = await r.json(); } catch { data = null; }
    return { status: r.status, data };
  }, [method, path, body]);
}

async function must(page, method, path, body, want) {
  const r = await call(page, method, path, body);
  if (r.status !== want) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

runBrowser(async (newContext) => {
  const shots = [];
  const teacherEmail = `teacher-${stamp}@example.org`;
  const teacher = await signUpTeacher(await newContext(), base, 'Ms Li', teacherEmail);

  const course = await must(teacher, 'POST', '/api/v1/courses', { title: 'Paid Go' }, 201);
  const lesson = await must(teacher, 'POST', `/api/v1/courses/${course.id}/lessons`,
    { title: 'Goroutines', starts_at: new Date().toISOString(), duration_minutes: 60 }, 201);
  await must(teacher, 'PUT', `/api/v1/courses/${course.id}/price`, { amount: 4900, currency: 'EUR' }, 200);
  await must(teacher, 'POST', `/api/v1/courses/${course.id}/submit`, undefined, 200);
  await awaitApproval(course.id);
  await teacher.goto(`${base}/lesson/${lesson.id}`);
  await goLive(teacher);

  const student = await signUpAt(await newContext(), base, '王同学', `student-${stamp}@example.org`);
  await student.evaluate(() => localStorage.setItem('lectern.lang', 'zh-CN'));
  await must(student, 'POST', `/api/v1/courses/${course.id}/enrolment`, undefined, 201);
  const order = await must(student, 'POST', '/api/v1/orders', { course_id: course.id }, 201);
  await student.goto(new URL(order.checkout_url.replace(/^https?:\/\/[^/]+/, ''), base).href);
  await student.click('button[value="pay"]');
  await student.waitForSelector('.result', { timeout: 5000 });

  await student.goto(`${base}/lesson/${lesson.id}`);
  const before = await videoPlaying(student, '.stage-main video');
  shots.push(await screenshot(student, 'refund-before'));

  const refund = await must(student, 'POST', `/api/v1/orders/${order.id}/refund-requests`, { amount: 0, reason: 'schedule clash' }, 201);
  const tApprove = Date.now();
  await must(teacher, 'POST', `/api/v1/refunds/${refund.id}/approve`, {}, 200);
  const approveMs = Date.now() - tApprove;
  const t0 = Date.now(); // the refund is done: the approval has answered
  await student.waitForSelector('#end-card:not([hidden])', { timeout: 5000 });
  const cutMs = Date.now() - t0;
  const endReason = await student.$eval('#end-card', (el) => el.dataset.reason);
  const endText = await student.$eval('#end-card .end-text', (el) => el.textContent);
  // Nothing plays any more: no video with a live stream, or none advancing.
  const t1 = await student.evaluate(() => [...document.querySelectorAll('video')].map((v) => v.currentTime));
  await new Promise((r) => setTimeout(r, 1000));
  const playing = await student.evaluate((prev) => [...document.querySelectorAll('video')]
    .filter((v, i) => !v.paused && v.srcObject && v.srcObject.getTracks().some((tr) => tr.readyState === 'live') &&
      v.currentTime > (prev[i] ?? 0)).length, t1);
  const joinAgain = await call(student, 'POST', `/api/v1/lessons/${lesson.id}/join`);
  shots.push(await screenshot(student, 'refund-after'));
  return {
    before,
    cutMs,
    approveMs,
    endReason,
    endText,
    playing,
    status: await student.getAttribute('#status', 'data-status'),
    joinAgain: joinAgain.status,
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors],
  };
}, { totalMs: 110000 });
