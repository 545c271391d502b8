// Shared helpers for the browser scripts: launch Debian's Chromium with
// playwright-core (never a downloaded browser), bound every wait, print
// JSON lines on stdout, and always close the browser.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.LECTERN_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

// emit prints one JSON line.
export function emit(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

// run launches a browser with a fresh profile, calls fn(ctx), prints its
// result as the last line ({ok:true, ...result} or {ok:false, error}) and
// exits. The whole script is bounded by totalMs.
export async function run(fn, { totalMs = 90000, locale = 'en-US' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lectern-e2e-'));
  let ctx = null;
  let code = 0;
  const watchdog = setTimeout(() => {
    emit({ ok: false, error: `script timed out after ${totalMs} ms` });
    cleanup().finally(() => process.exit(3));
  }, totalMs);
  async function cleanup() {
    try {
      if (ctx) await Promise.race([ctx.close(), sleep(5000)]);
    } catch { /* already gone */ }
    ctx = null;
    rmSync(dir, { recursive: true, force: true });
  }
  try {
    ctx = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      locale,
      viewport: { width: 1280, height: 800 },
      timeout: 30000,
    });
    ctx.setDefaultTimeout(20000);
    const result = await fn(ctx);
    emit({ ok: true, ...result });
  } catch (err) {
    emit({ ok: false, error: String(err?.stack || err) });
    code = 1;
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
  process.exit(code);
}

// runBrowser is run for scripts that need separate cookie jars (two
// signed-in accounts): fn(newContext) gets a factory of fresh contexts of
// one browser. Same output and bounds as run.
export async function runBrowser(fn, { totalMs = 90000, locale = 'en-US' } = {}) {
  let browser = null;
  let code = 0;
  const watchdog = setTimeout(() => {
    emit({ ok: false, error: `script timed out after ${totalMs} ms` });
    Promise.race([browser?.close(), sleep(5000)]).finally(() => process.exit(3));
  }, totalMs);
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30000 });
    const newContext = async () => {
      const c = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
      c.setDefaultTimeout(20000);
      return c;
    };
    const result = await fn(newContext);
    emit({ ok: true, ...result });
  } catch (err) {
    emit({ ok: false, error: String(err?.stack || err) });
    code = 1;
  } finally {
    clearTimeout(watchdog);
    try {
      if (browser) await Promise.race([browser.close(), sleep(5000)]);
    } catch { /* already gone */ }
  }
  process.exit(code);
}

// waitLine resolves with the next line the parent writes on stdin (the Go
// test answering an event), or rejects after maxMs.
let stdinBuf = '';
const stdinWaiters = [];
let stdinOn = false;
export function waitLine(maxMs) {
  if (!stdinOn) {
    stdinOn = true;
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d) => {
      stdinBuf += d;
      let i;
      while ((i = stdinBuf.indexOf('\n')) >= 0 && stdinWaiters.length) {
        const line = stdinBuf.slice(0, i);
        stdinBuf = stdinBuf.slice(i + 1);
        stdinWaiters.shift()(line);
      }
    });
    process.stdin.resume();
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer on stdin within ${maxMs} ms`)), maxMs);
    stdinWaiters.push((line) => { clearTimeout(timer); resolve(line); });
    const i = stdinBuf.indexOf('\n');
    if (i >= 0) {
      const line = stdinBuf.slice(0, i);
      stdinBuf = stdinBuf.slice(i + 1);
      stdinWaiters.shift()(line);
    }
  });
}

// signedInSockets signs the context in with cookies (JSON [{name, value}]
// from the Go test) for pageURL's origin and returns the list, kept up to
// date, of the WebSocket URLs its pages open.
export async function signedInSockets(ctx, pageURL, cookiesJSON) {
  await ctx.addCookies(JSON.parse(cookiesJSON).map((c) => ({ ...c, url: new URL(pageURL).origin })));
  const sockets = [];
  ctx.on('page', (p) => p.on('websocket', (ws) => sockets.push(ws.url())));
  return sockets;
}

// openTab selects a side-panel tab (participants, chat, qa, polls).
export async function openTab(page, id) {
  await page.click(`#tab-${id}`);
  await page.waitForSelector(`#panel-${id}:not([hidden])`, { timeout: 5000 });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// openPage opens url in a new page and collects console errors.
export async function openPage(ctx, url, name) {
  const page = await ctx.newPage();
  page.errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(`${name}: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.errors.push(`${name}: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

// status reads the room's status line (data-status of #status).
export async function status(page) {
  return page.getAttribute('#status', 'data-status');
}

export async function waitStatus(page, want, timeout = 20000) {
  await page.waitForSelector(`#status[data-status="${want}"]`, { timeout });
}

// goLive waits for the teacher's controls and clicks "go live".
export async function goLive(page) {
  await page.waitForSelector('#go-live:not([disabled])', { timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('.stage-main video')?.videoWidth > 0, null, { timeout: 20000 });
  await page.click('#go-live');
  await waitStatus(page, 'live');
}

// videoPlaying resolves with {width, height, t0, t1} once the video at
// selector has a size and its currentTime advances.
export async function videoPlaying(page, selector, timeout = 20000) {
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel);
    return v && v.videoWidth > 0 && v.currentTime > 0;
  }, selector, { timeout });
  const t0 = await page.$eval(selector, (v) => v.currentTime);
  await page.waitForFunction(([sel, t]) => document.querySelector(sel).currentTime > t + 0.5, [selector, t0], { timeout });
  return page.$eval(selector, (v) => ({ width: v.videoWidth, height: v.videoHeight, t0: 0, t1: v.currentTime }));
}

export async function screenshot(page, name) {
  const dir = process.env.LECTERN_E2E_SCREENSHOTS;
  if (!dir) return null;
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

// waitForStdinEnd resolves when the parent closes stdin or writes a line.
export function waitForStdinEnd(maxMs) {
  return new Promise((resolve) => {
    const done = (why) => { clearTimeout(timer); resolve(why); };
    const timer = setTimeout(() => done('timeout'), maxMs);
    process.stdin.on('data', () => done('line'));
    process.stdin.on('end', () => done('eof'));
    process.stdin.on('error', () => done('error'));
    process.stdin.resume();
  });
}

// PASSWORD is the password of every account a script signs up.
export const PASSWORD = 'correct horse battery staple';

// signUp opens base's sign-up page in ctx, creates an account and waits
// (bounded) for the course list it lands on; the page's uncaught errors
// are collected in page.errors, prefixed with name.
export async function signUp(ctx, base, name, email) {
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`${name}: ${e.message}`));
  await page.goto(`${base}/signup?next=/courses`);
  await page.fill('#signup-name', name);
  await page.fill('#signup-email', email);
  await page.fill('#signup-password', PASSWORD);
  await page.click('#signup-submit');
  await page.waitForURL(`${base}/courses`, { timeout: 15000 });
  await page.waitForSelector('#nav-account', { timeout: 10000 });
  return page;
}

// awaitApproval: a course submitted for review (in the page or through
// the API) is approved by the Go test, as a reviewer would
// (e2e/courses_test.go approveSubmitted), which answers "approved".
export async function awaitApproval(courseId) {
  emit({ event: 'submitted', course: courseId });
  if ((await waitLine(15000)).trim() !== 'approved') throw new Error('not approved');
}

// submitForReview: the teacher submits the course open on page for review;
// the Go test approves it, as a reviewer would, and answers "approved".
export async function submitForReview(page) {
  await page.click('#course-submit-review');
  await page.waitForSelector('#course-state[data-state="in_review"]', { timeout: 10000 });
  await awaitApproval(decodeURIComponent(new URL(page.url()).pathname.split('/').pop()));
  await page.reload();
  await page.waitForSelector('#course-state[data-state="published"]', { timeout: 10000 });
}

// signUpTeacher signs up an account (as signUp) that the Go test makes a
// teacher: it prints {event: 'signedUp', email}, waits for the answer
// "teacher" and reloads, so that the page shows a teacher's controls.
export async function signUpTeacher(ctx, base, name, email) {
  const page = await signUp(ctx, base, name, email);
  emit({ event: 'signedUp', email });
  if ((await waitLine(15000)).trim() !== 'teacher') throw new Error('not promoted');
  await page.reload();
  return page;
}

// createCourse: the teacher on page (on /courses) creates a course with a
// title and whichever of summary, description, tags and price (amount and
// currency) are given, and lands on its page; it returns the page's URL and
// the course's ID.
export async function createCourse(page, { title, summary, description, tags, amount, currency }) {
  await page.click('#course-new', { timeout: 5000 });
  await page.fill('#course-title', title);
  if (summary) await page.fill('#course-summary', summary);
  if (description) await page.fill('#course-description', description);
  if (tags) await page.fill('#course-tags', tags);
  if (amount) await page.fill('#course-price-amount', amount);
  if (currency) await page.fill('#course-price-currency', currency);
  await page.click('#course-submit');
  await page.waitForURL(/\/courses\/[^/]+$/, { timeout: 10000 });
  const courseURL = page.url();
  return { courseURL, courseId: decodeURIComponent(new URL(courseURL).pathname.split('/').pop()) };
}

// buyWithDevCheckout: the student on page, on a course page, presses Buy,
// pays on the dev test provider's checkout page and comes back to the
// course page, waiting until the order shows paid.
export async function buyWithDevCheckout(page, courseURL) {
  await page.waitForSelector('#buy-button', { timeout: 5000 });
  await page.click('#buy-button');
  await page.waitForURL(/\/api\/v1\/billing\/dev\/checkout\//, { timeout: 10000 });
  await page.click('button[value="pay"]');
  await page.waitForSelector('.result', { timeout: 5000 });
  await page.click('.box a[href^="/courses/"]');
  await page.waitForURL(courseURL, { timeout: 5000 });
  await page.waitForSelector('#order-status[data-state="paid"]', { timeout: 15000 });
}
