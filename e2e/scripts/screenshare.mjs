// screenshare.mjs <teacherURL> <studentURL>
// The teacher shares a screen while live: the student sees the share large
// and the camera small; when the share stops (unpublish + renegotiation)
// the camera is the main video again. Screenshots of both views go to
// $LECTERN_E2E_SCREENSHOTS when set (also at phone width).
import { run, openPage, goLive, videoPlaying, screenshot, sleep } from './lib.mjs';

const [teacherURL, studentURL] = process.argv.slice(2);

// mainIs(want) runs in the page: is the main video playing that source?
const mainIs = (want) => {
  const v = document.querySelector('.stage-main video');
  return !!v && v.videoWidth > 0 && v.dataset.source === want;
};

run(async (ctx) => {
  const teacher = await openPage(ctx, teacherURL, 'teacher');
  await goLive(teacher);
  const student = await openPage(ctx, studentURL, 'student');
  await videoPlaying(student, '.stage-main video');

  await teacher.click('#toggle-screen');
  await student.waitForFunction(mainIs, 'screen', { timeout: 15000 }).catch(async () => {
    const got = await student.$eval('.stage-main video', (v) => v.dataset.source).catch(() => null);
    throw new Error(`student main video is ${got}, want screen`);
  });
  await student.waitForFunction(() => document.querySelector('.stage-pip video')?.videoWidth > 0, null, { timeout: 10000 });
  const sharing = {
    teacherButton: await teacher.getAttribute('#toggle-screen', 'aria-pressed'),
    pipSource: await student.$eval('.stage-pip video', (v) => v.dataset.source),
  };
  await sleep(500);
  const shots = [await screenshot(teacher, 'teacher-share'), await screenshot(student, 'student-share')];
  await student.setViewportSize({ width: 390, height: 844 });
  await teacher.setViewportSize({ width: 390, height: 844 });
  await sleep(300);
  shots.push(await screenshot(teacher, 'teacher-phone'), await screenshot(student, 'student-phone'));

  await teacher.click('#toggle-screen');
  await student.waitForFunction(mainIs, 'camera', { timeout: 15000 });
  const after = {
    pipHidden: await student.$eval('.stage-pip', (el) => el.hidden),
    teacherButton: await teacher.getAttribute('#toggle-screen', 'aria-pressed'),
  };
  return { sharing, after, screenshots: shots.filter(Boolean), errors: [...teacher.errors, ...student.errors] };
});
