// stage.mjs <teacherURL> <studentURL>
// Hands and the stage: the student raises a hand, the teacher sees it in
// the queue and invites; the student accepts the prompt and publishes
// camera and microphone; the teacher sees the student's video on the stage
// strip; the teacher removes the student from the stage and the student
// stops publishing.
import { run, openPage, waitStatus, screenshot, sleep } from './lib.mjs';

const [teacherURL, studentURL] = process.argv.slice(2);

run(async (ctx) => {
  const teacher = await openPage(ctx, teacherURL, 'teacher');
  await waitStatus(teacher, 'ready');
  const student = await openPage(ctx, studentURL, 'student');
  await waitStatus(student, 'live');

  await student.click('#toggle-hand');
  await teacher.waitForSelector('#hand-queue [data-invite]', { timeout: 10000 });
  const queued = await teacher.$eval('#hand-queue .chip-name', (el) => el.textContent);
  const peopleHand = await teacher.$$eval('#participant-list [data-hand="true"]', (els) => els.length);
  const shots = [await screenshot(teacher, 'stage-teacher-queue')];
  await teacher.click('#hand-queue [data-invite]');

  await student.waitForSelector('#stage-invite[open]', { timeout: 10000 });
  const countdown = Number(await student.getAttribute('#stage-invite .prompt-countdown', 'data-seconds'));
  shots.push(await screenshot(student, 'stage-student-invite'));
  await student.click('#stage-invite-yes');
  await student.waitForSelector('#seat:not([hidden])', { timeout: 10000 });

  // The teacher receives the student's camera on the stage strip.
  await teacher.waitForFunction(() => [...document.querySelectorAll('#stage-strip video')].some((v) => v.videoWidth > 0),
    null, { timeout: 20000 });
  const strip = await teacher.$eval('#stage-strip video', (v) => ({ width: v.videoWidth, height: v.videoHeight }));
  const onStageChip = await teacher.$eval('#stage-list [data-stage-remove]', (b) => b.dataset.stageRemove);
  const handAfter = await student.isVisible('#toggle-hand');
  await sleep(400);
  shots.push(await screenshot(teacher, 'stage-teacher-strip'), await screenshot(student, 'stage-student-seat'));

  await teacher.click('#stage-list [data-stage-remove]');
  await student.waitForSelector('#seat', { state: 'hidden', timeout: 10000 });
  await teacher.waitForSelector('#stage-strip', { state: 'hidden', timeout: 10000 });
  const studentCameraLive = await student.evaluate(() => document.querySelector('#seat') && !document.querySelector('#seat').hidden);
  return {
    queued, peopleHand, countdown, strip, onStageChip, handHiddenOnStage: !handAfter,
    stripHiddenAfter: await teacher.$eval('#stage-strip', (el) => el.hidden),
    seatHiddenAfter: !studentCameraLive,
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...student.errors],
  };
}, { totalMs: 60000 });
