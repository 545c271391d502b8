// quality.mjs <teacherURL> <studentURL>
// What the room shows of the server's quality messages (docs/protocol.md):
// the teacher goes live and brings the student on stage, for real; then
// the script stands between each page and /rtc (Playwright's
// routeWebSocket) and plays the server's part for track.quality,
// speakers and subscriber.stats, holding back the real ones so that the
// page shows exactly what was sent:
//   student: the teacher's camera "paused: low bandwidth", the teacher the
//            active speaker, a poor connection;
//   teacher: the student's stage tile speaking, a fair connection.
// Checks both languages; screenshots go to $LECTERN_E2E_SCREENSHOTS.
import { run, openPage, goLive, videoPlaying, screenshot, sleep } from './lib.mjs';

const [teacherURL, studentURL] = process.argv.slice(2);
const PLAYED = new Set(['track.quality', 'speakers', 'subscriber.stats']);

// relay passes /rtc through and lets the script speak as the server.
async function relay(page) {
  const r = { tracks: new Map(), self: '', hold: false, ws: null, settings: [] };
  await page.routeWebSocket(/\/rtc$/, (ws) => {
    const server = ws.connectToServer();
    r.ws = ws;
    ws.onMessage((m) => {
      try {
        const msg = JSON.parse(m);
        if (msg.type === 'track.settings') r.settings.push(msg.payload);
      } catch { /* pass it on */ }
      server.send(m);
    });
    server.onMessage((m) => {
      let msg = null;
      try { msg = JSON.parse(m); } catch { /* pass it on */ }
      if (msg?.type === 'subscribe.offer') {
        for (const t of Object.values(msg.payload?.tracks || {})) r.tracks.set(t.id, t);
      }
      if (msg?.type === 'joined') r.self = msg.payload?.participant?.id || '';
      if (r.hold && PLAYED.has(msg?.type)) return;
      ws.send(m);
    });
  });
  r.send = (type, payload) => r.ws.send(JSON.stringify({ v: 1, type, payload }));
  r.video = (pid) => [...r.tracks.values()].find((t) => t.kind === 'video' && t.source === 'camera' && (!pid || t.participantId === pid));
  return r;
}

// state runs in a page: what the room shows.
function state() {
  const text = (sel) => document.querySelector(sel)?.textContent || '';
  const paused = document.querySelector('.stage-main .video-paused');
  const net = document.querySelector('#net-quality');
  const cls = (el) => (el ? [...el.classList].filter((c) => c === 'speaking' || c === 'active-speaker').sort().join(' ') : null);
  return {
    lang: document.documentElement.lang,
    mainPaused: !!paused && !paused.hidden,
    mainPausedText: paused && !paused.hidden ? paused.textContent : '',
    net: net && !net.hidden ? net.dataset.quality : '',
    netLabel: text('#net-quality .netq-label'),
    netTitle: net?.title || '',
    people: Object.fromEntries([...document.querySelectorAll('#participant-list li')].map((li) => [li.dataset.participant, cls(li)])),
    strip: Object.fromEntries([...document.querySelectorAll('#stage-strip .tile')].map((t) => [t.dataset.participant, cls(t)])),
    stripBadge: text('#stage-strip .quality-badge:not([hidden])'),
  };
}

run(async (ctx) => {
  const teacher = await openPage(ctx, 'about:blank', 'teacher');
  const tr = await relay(teacher);
  await teacher.goto(teacherURL);
  await goLive(teacher);
  const student = await openPage(ctx, 'about:blank', 'student');
  const sr = await relay(student);
  await student.goto(studentURL);
  await videoPlaying(student, '.stage-main video');

  // The student comes on stage (hand, invitation, accept), for real.
  await student.click('#toggle-hand');
  await teacher.waitForSelector('#hand-queue [data-invite]', { timeout: 10000 });
  await teacher.click('#hand-queue [data-invite]');
  await student.waitForSelector('#stage-invite[open]', { timeout: 10000 });
  await student.click('#stage-invite-yes');
  await teacher.waitForFunction(() => [...document.querySelectorAll('#stage-strip video')].some((v) => v.videoWidth > 0),
    null, { timeout: 20000 });

  const teacherCam = sr.video(tr.self);
  const studentCam = tr.video(sr.self);
  if (!teacherCam || !studentCam) throw new Error(`tracks not seen: teacher ${teacherCam?.id}, student ${studentCam?.id}`);
  sr.hold = true;
  tr.hold = true;
  sr.send('track.quality', { trackId: teacherCam.id, layer: -1, paused: true });
  sr.send('speakers', { active: tr.self, speaking: [{ participantId: tr.self, level: 0.2 }] });
  sr.send('subscriber.stats', { estimate: 180000, budget: 180000, loss: 0.14, rttMs: 320, tracks: [] });
  tr.send('track.quality', { trackId: studentCam.id, layer: 0, paused: false });
  tr.send('speakers', { active: sr.self, speaking: [{ participantId: sr.self, level: 0.3 }] });
  tr.send('subscriber.stats', { estimate: 1180000, budget: 1410000, loss: 0.035, rttMs: 48, tracks: [] });
  // A short pause shows nothing; one that lasts shows the overlay.
  await sleep(300);
  const early = await student.evaluate(state);
  await sleep(900);
  await teacher.hover('#stage-strip .tile');
  await sleep(300);
  const en = { student: await student.evaluate(state), teacher: await teacher.evaluate(state) };
  const shots = [await screenshot(student, 'quality-student-en'), await screenshot(teacher, 'quality-teacher-en')];

  for (const p of [student, teacher]) await p.selectOption('#lang-switch', 'zh-CN');
  await sleep(300);
  await teacher.hover('#stage-strip .tile');
  await sleep(300);
  const zh = { student: await student.evaluate(state), teacher: await teacher.evaluate(state) };
  shots.push(await screenshot(student, 'quality-student-zh'), await screenshot(teacher, 'quality-teacher-zh'));

  // Adaptive stream: folding the strip hides the student's video from the
  // server (visible: false); unfolding shows it again.
  const lastFor = (r, id) => r.settings.filter((x) => x.trackId === id).at(-1) || null;
  const settings = { initial: lastFor(tr, studentCam.id) };
  await teacher.click('#strip-toggle');
  await teacher.waitForFunction(() => document.querySelector('#strip-tiles').hidden);
  await sleep(800);
  settings.collapsed = lastFor(tr, studentCam.id);
  await teacher.click('#strip-toggle');
  await sleep(800);
  settings.expanded = lastFor(tr, studentCam.id);
  settings.flapped = tr.settings.filter((x) => x.trackId === studentCam.id && !x.visible && x.width > 0).length;
  // The student puts the teacher's camera away when it is the pip: here
  // it is the main video, so only check the main video's report.
  settings.studentMain = lastFor(sr, teacherCam.id);

  // Resumed: the overlay goes away.
  sr.send('track.quality', { trackId: teacherCam.id, layer: 2, paused: false });
  await student.waitForSelector('.stage-main .video-paused', { state: 'hidden', timeout: 5000 });
  await student.setViewportSize({ width: 390, height: 844 });
  await sleep(300);
  shots.push(await screenshot(student, 'quality-student-phone'));
  
  return {
    early: early.mainPaused, en, zh, settings, ids: { teacher: tr.self, student: sr.self },
    screenshots: shots.filter(Boolean), errors: [...teacher.errors, ...student.errors],
  };
}, { totalMs: 120000 });
