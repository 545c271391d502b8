// edge.mjs <pageURL> <cookiesJSON>
// A big lesson spilled onto an edge node: the student opens the lesson at
// the owner's page; the join answer names the edge, where the room's
// WebSocket goes. The teacher's video, relayed from the owner, plays on
// the main stage labelled with the teacher's name; the chat shows the
// teacher's message (kept on the owner) and sends one back.
import { run, openPage, waitStatus, videoPlaying, openTab, signedInSockets } from './lib.mjs';

const [pageURL, cookiesJSON] = process.argv.slice(2);

const hasChat = (page, text) => page.waitForFunction(
  (want) => [...document.querySelectorAll('#chat-messages .chat-text')].some((e) => e.textContent === want),
  text, { timeout: 15000 });

run(async (ctx) => {
  const sockets = await signedInSockets(ctx, pageURL, cookiesJSON);
  const page = await openPage(ctx, pageURL, 'student');
  await waitStatus(page, 'live', 30000);
  const video = await videoPlaying(page, '.stage-main video', 30000);
  const label = await page.$eval('.stage-main .stage-label', (el) => el.textContent);
  const participant = await page.$eval('.stage-main', (el) => el.dataset.participant);
  await openTab(page, 'chat');
  await hasChat(page, 'hello from the owner');
  await page.fill('#chat-input', 'hello from the edge');
  await page.press('#chat-input', 'Enter');
  await hasChat(page, 'hello from the edge');
  return { sockets, video, label, participant, errors: page.errors };
}, { totalMs: 100000 });
