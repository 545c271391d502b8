// slides.mjs <baseURL> <pdfPath>
// Slides in the live room: a teacher uploads a three-page PDF to a course,
// opens the lesson's room and presents the PDF from the Slides panel, then
// turns to page 2; a student already in the room sees page 2, and a student
// who joins afterwards lands on page 2. Between the two, the Go test sends
// slides.page as a student over the WebSocket and sees it refused; the page
// stays at 2 everywhere. Last, the replay's slide follower
// (pages/replayslides.js) is driven through the lesson's timeline as a
// recording that started 5 s before the slides would be: before, after the
// open, after the turn, and seeking back.
import { runBrowser, emit, waitLine, waitStatus, screenshot, signUp, signUpTeacher, createCourse, submitForReview, openTab } from './lib.mjs';

const [base, pdfPath] = process.argv.slice(2);
const stamp = Date.now().toString(36);

const viewerAt = (page, n) => page.waitForSelector(`#slides-viewer[data-page="${n}"]`, { timeout: 20000 });
const shownPage = (page) => page.$eval('#slides-viewer', (el) => el.dataset.page);
const canvasWidth = (page) => page.$eval('#slides-viewer canvas', (el) => el.width);

async function studentJoins(newContext, name, courseURL) {
  const s = await signUp(await newContext(), base, name, `${name.toLowerCase()}-${stamp}@example.org`);
  await s.goto(courseURL);
  await s.click('#course-enrol');
  await s.waitForSelector('#course-relation', { timeout: 10000 });
  await s.click('#course-lessons [data-join]');
  await s.waitForURL(/\/lesson\/[^/?]+$/, { timeout: 10000 });
  await waitStatus(s, 'live', 20000);
  return s;
}

runBrowser(async (newContext) => {
  const shots = [];
  const email = `teacher-${stamp}@example.org`;
  const teacher = await signUpTeacher(await newContext(), base, 'Ms Li', email);
  const { courseURL } = await createCourse(teacher, { title: 'Slides in the room' });
  await teacher.fill('#lesson-title', 'Week 1');
  await teacher.click('#lesson-submit');
  await teacher.waitForSelector('#course-lessons [data-lesson] [data-join]', { timeout: 10000 });
  // The deck goes up before the course is submitted: it is reviewed with
  // the course (a material added to a published course waits for review).
  await teacher.click('#course-materials');
  await teacher.waitForSelector('#materials-upload', { timeout: 10000 });
  await teacher.setInputFiles('#materials-file', pdfPath);
  await teacher.waitForSelector('#materials-list [data-material][data-kind="pdf"]', { timeout: 20000 });
  await teacher.goto(courseURL);
  await submitForReview(teacher);

  const early = await studentJoins(newContext, 'Wang', courseURL);
  await teacher.goto(courseURL);
  await teacher.click('#course-lessons [data-join]');
  await teacher.waitForURL(/\/lesson\/[^/?]+$/, { timeout: 10000 });
  const lessonId = decodeURIComponent(new URL(teacher.url()).pathname.split('/').pop());
  await waitStatus(teacher, 'ready', 20000);

  await openTab(teacher, 'slides');
  await teacher.waitForSelector('#slides-deck option', { state: 'attached', timeout: 10000 });
  await teacher.click('#slides-open');
  await viewerAt(teacher, 1);
  await viewerAt(early, 1);
  await teacher.click('#slides-next');
  await viewerAt(teacher, 2);
  await viewerAt(early, 2);
  // The teacher points at the page: the student sees the pointer.
  const box = await teacher.$eval('#slides-viewer canvas', (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await teacher.mouse.move(box.x + box.w / 2, box.y + box.h / 4);
  await teacher.mouse.move(box.x + box.w / 2 + 5, box.y + box.h / 4 + 5);
  await early.waitForSelector('#slides-pointer:not([hidden])', { timeout: 10000 });
  const earlyLabel = await early.$eval('#slides-label', (el) => el.textContent);
  shots.push(await screenshot(early, 'slides-student'));

  // The Go test sends slides.page as a student: refused.
  emit({ event: 'page2', lesson: lessonId });
  const refused = (await waitLine(20000)).trim();

  const late = await studentJoins(newContext, 'Zhao', courseURL);
  await viewerAt(late, 2);
  shots.push(await screenshot(late, 'slides-late'));

  const replay = await teacher.evaluate(async (id) => {
    const { followSlides } = await import('/pages/replayslides.js');
    const tl = await (await fetch(`/api/v1/lessons/${encodeURIComponent(id)}/slides`)).json();
    const at = tl.events.map((e) => Date.parse(e.at));
    const start = at[0] - 5000;
    const video = new EventTarget(); // stands for the <video>: currentTime is all it reads
    video.currentTime = 0;
    video.clientWidth = 320;
    const box = await followSlides(video, id, new Date(start).toISOString());
    if (!box) return { events: tl.events.length, seen: [] };
    document.body.append(box);
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const seen = [];
    for (const [t, want] of [[1, ''], [(at[0] - start) / 1000 + 0.2, '1'], [(at[1] - start) / 1000 + 0.2, '2'], [(at[0] - start) / 1000 + 0.1, '1']]) {
      video.currentTime = t;
      video.dispatchEvent(new Event('timeupdate'));
      let got = 'timeout';
      for (let i = 0; i < 100; i++) {
        const page = box.dataset.page || '';
        if (page === want && box.hidden === (want === '')) { got = page; break; }
        await sleep(100);
      }
      seen.push(got);
    }
    return { events: tl.events.length, seen };
  }, lessonId);
  return {
    replay,
    lessonId,
    refused,
    teacherPage: await shownPage(teacher),
    earlyPage: await shownPage(early),
    latePage: await shownPage(late),
    earlyLabel,
    lateCanvas: await canvasWidth(late),
    studentControls: await early.$$eval('#slides-open, #slides-next', (els) => els.filter((e) => e.offsetParent !== null).length),
    screenshots: shots.filter(Boolean),
    errors: [...teacher.errors, ...early.errors, ...late.errors],
  };
}, { totalMs: 200000 });
