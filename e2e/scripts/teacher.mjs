// teacher.mjs <lessonURL> [holdMs]
// Opens the lesson as the teacher, goes live with the fake camera and
// microphone, prints {"event":"live"}, then keeps publishing until stdin
// closes (or holdMs passes), and prints what the page saw.
import { run, emit, openPage, goLive, screenshot, waitForStdinEnd, status } from './lib.mjs';

const [url, holdArg] = process.argv.slice(2);
const holdMs = Number(holdArg || 60000);

run(async (ctx) => {
  const page = await openPage(ctx, url, 'teacher');
  await goLive(page);
  emit({ event: 'live' });
  const why = await waitForStdinEnd(holdMs);
  const shot = await screenshot(page, 'teacher');
  const state = await page.evaluate(() => ({
    view: document.querySelector('.room')?.dataset.view,
    live: document.querySelector('#go-live')?.dataset.live,
    preview: document.querySelector('.stage-main video')?.videoWidth || 0,
  }));
  return { ended: why, status: await status(page), ...state, screenshot: shot, errors: page.errors };
}, { totalMs: holdMs + 60000 });
