// materialvideo.mjs <baseURL> <mp4Path>
// A video material plays through hls.js: a teacher uploads an MP4 made by
// ffmpeg, the server transcodes it to HLS (the page shows the progress
// until it is ready), and opening it plays the HLS renditions — the
// playlist and its segments are fetched and currentTime advances.
import { runBrowser, screenshot, signUpTeacher, createCourse } from './lib.mjs';

const [base, mp4Path] = process.argv.slice(2);
const stamp = Date.now().toString(36);

runBrowser(async (newContext) => {
  const email = `teacher-${stamp}@example.org`;
  const teacher = await signUpTeacher(await newContext(), base, 'Ms Li', email);
  const hlsRequests = [];
  teacher.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.includes('/hls/')) hlsRequests.push(u.pathname.replace(/^.*\/hls\//, ''));
  });
  await createCourse(teacher, { title: 'Video course' });
  await teacher.click('#course-materials');
  await teacher.waitForSelector('#materials-upload', { timeout: 10000 });
  await teacher.setInputFiles('#materials-file', mp4Path);
  await teacher.waitForSelector('#materials-list [data-material][data-kind="video"]', { timeout: 20000 });
  const sawProcessing = await teacher.$('#materials-list [data-material][data-status="processing"]') !== null;
  await teacher.waitForSelector('#materials-list [data-material][data-kind="video"][data-status="ready"]', { timeout: 150000 });
  await teacher.click('#materials-list [data-material][data-kind="video"] [data-open]');
  await teacher.waitForSelector('#material-viewer video[data-player]', { timeout: 20000 });
  const player = await teacher.$eval('#material-viewer video', (v) => v.dataset.player);
  await teacher.$eval('#material-viewer video', (v) => { v.muted = true; return v.play().catch(() => {}); });
  await teacher.waitForFunction(() => {
    const v = document.querySelector('#material-viewer video');
    return v && v.videoWidth > 0 && v.currentTime > 0;
  }, null, { timeout: 30000 });
  const t0 = await teacher.$eval('#material-viewer video', (v) => v.currentTime);
  await teacher.waitForFunction((t) => document.querySelector('#material-viewer video').currentTime > t + 1, t0, { timeout: 30000 });
  const v = await teacher.$eval('#material-viewer video', (el) => ({ width: el.videoWidth, height: el.videoHeight, t1: el.currentTime, src: el.getAttribute('src') || '' }));
  const shot = await screenshot(teacher, 'material-video');
  return {
    sawProcessing, player, t0, ...v, hlsRequests: [...new Set(hlsRequests)],
    screenshots: [shot].filter(Boolean),
    errors: teacher.errors,
  };
}, { totalMs: 230000 });
