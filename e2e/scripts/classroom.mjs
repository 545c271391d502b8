// classroom.mjs <teacherURL> <studentURL>
// The "two tabs" story: the teacher goes live, a student opens the lesson
// and sees the teacher's video playing and receives the sound.
import { run, openPage, goLive, videoPlaying, screenshot, status, sleep } from './lib.mjs';

const [teacherURL, studentURL] = process.argv.slice(2);

run(async (ctx) => {
  const teacher = await openPage(ctx, teacherURL, 'teacher');
  await goLive(teacher);
  const student = await openPage(ctx, studentURL, 'student');
  const t0 = Date.now();
  const video = await videoPlaying(student, '.stage-main video');
  const firstFrameMs = Date.now() - t0;
  await student.waitForFunction(() => document.querySelectorAll('.stage-audio audio').length > 0, null, { timeout: 15000 });
  const soundBlocked = await student.isVisible('#enable-sound');
  if (soundBlocked) await student.click('#enable-sound');
  await student.waitForFunction(() => [...document.querySelectorAll('.stage-audio audio')].some((a) => !a.paused), null, { timeout: 10000 });
  const people = await student.$$eval('#participant-list [data-participant]', (els) => els.length);
  await sleep(300);
  const shots = [await screenshot(teacher, 'teacher'), await screenshot(student, 'student')];
  return {
    teacherStatus: await status(teacher),
    studentStatus: await status(student),
    studentView: await student.$eval('.room', (r) => r.dataset.view),
    source: await student.$eval('.stage-main video', (v) => v.dataset.source),
    video,
    firstFrameMs,
    soundBlocked,
    people,
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors],
  };
});
