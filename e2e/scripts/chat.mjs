// chat.mjs <teacherURL> <studentURL>
// Chat between two tabs: the student's message reaches the teacher and is
// shown as text (an <img onerror> payload stays literal and never runs);
// the teacher answers; a private message to the teachers is marked
// private; the 2,000-character counter; the student deletes a message.
import { run, openPage, waitStatus, openTab, screenshot, sleep } from './lib.mjs';

const [teacherURL, studentURL] = process.argv.slice(2);
const PAYLOAD = '<img src=x onerror="window.__xss=1;document.title=\'pwned\'"> & <b>bold</b>';

const lastText = (page) => page.$eval('#chat-messages li:last-child .chat-text', (el) => el.textContent);

run(async (ctx) => {
  const teacher = await openPage(ctx, teacherURL, 'teacher');
  await waitStatus(teacher, 'ready');
  const student = await openPage(ctx, studentURL, 'student');
  await waitStatus(student, 'live');
  await openTab(teacher, 'chat');
  await openTab(student, 'chat');

  await student.fill('#chat-input', PAYLOAD);
  await student.press('#chat-input', 'Enter');
  await teacher.waitForSelector('#chat-messages li .chat-text', { timeout: 10000 });
  const received = await lastText(teacher);
  const injected = await teacher.evaluate(() => ({
    imgs: document.querySelectorAll('#chat-messages img, #chat-messages b').length,
    xss: window.__xss === 1 || document.title === 'pwned',
  }));
  const studentEcho = await lastText(student);

  await teacher.fill('#chat-input', 'Hello Wang 👋');
  await teacher.click('#chat-send');
  await student.waitForFunction(() => document.querySelectorAll('#chat-messages li').length >= 2, null, { timeout: 10000 });
  const reply = await lastText(student);
  const replyRole = await student.$eval('#chat-messages li:last-child .badge', (el) => el.textContent);

  // Private to the moderators.
  await student.selectOption('#chat-to', 'moderators');
  await student.fill('#chat-input', 'a private question');
  await student.press('#chat-input', 'Enter');
  await teacher.waitForFunction(() => document.querySelectorAll('#chat-messages li.private').length === 1, null, { timeout: 10000 });
  const privateSeen = await teacher.$eval('#chat-messages li.private .chat-text', (el) => el.textContent);

  // The counter counts characters and blocks more than 2,000.
  await student.fill('#chat-input', 'x'.repeat(2001));
  const counter = await student.$eval('#chat-counter', (el) => el.textContent);
  const sendDisabled = await student.$eval('#chat-send', (b) => b.disabled);
  await student.fill('#chat-input', '');

  // The student deletes their first message; it goes for both.
  const firstId = await student.$eval('#chat-messages li.mine', (li) => li.dataset.message);
  await student.click(`#chat-messages li[data-message="${firstId}"] .chat-delete`);
  await teacher.waitForSelector(`#chat-messages li[data-message="${firstId}"]`, { state: 'detached', timeout: 10000 });
  await sleep(300);
  const shots = [await screenshot(teacher, 'chat-teacher'), await screenshot(student, 'chat-student')];
  return {
    payload: PAYLOAD, received, studentEcho, injected, reply, replyRole, privateSeen, counter, sendDisabled,
    afterDelete: await teacher.$$eval('#chat-messages li', (els) => els.length),
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors],
  };
}, { totalMs: 50000 });
