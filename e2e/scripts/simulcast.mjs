// simulcast.mjs <lessonURL> [holdMs]
// Opens the lesson as the teacher and goes live with the fake camera and
// microphone, as teacher.mjs does, but also watches the page's
// RTCPeerConnections (wrapped before the page loads) so that the Go test
// can see the camera sender's encodings: prints
//   {"event":"live","encodings":[{rid, active, scaleResolutionDownBy, maxBitrate}]}
// then answers each line on stdin: "encodings" prints
//   {"event":"encodings","encodings":[…]}
// and "end" (or stdin closing) ends the script.
import { run, emit, openPage, goLive, screenshot, status, waitLine } from './lib.mjs';

const [url, holdArg] = process.argv.slice(2);
const holdMs = Number(holdArg || 90000);

// watchPeerConnections runs in the page before its scripts.
function watchPeerConnections() {
  const Native = window.RTCPeerConnection;
  window.__lecternPCs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__lecternPCs.push(this);
    }
  };
}

// cameraEncodings runs in the page: the encodings of every live camera
// sender (a video sender whose track is not a screen share).
function cameraEncodings() {
  const out = [];
  for (const pc of window.__lecternPCs || []) {
    if (pc.connectionState === 'closed') continue;
    for (const s of pc.getSenders()) {
      if (s.track?.kind !== 'video' || s.track.contentHint === 'detail') continue;
      for (const e of s.getParameters().encodings || []) {
        out.push({
          rid: e.rid || '', active: e.active !== false,
          scaleResolutionDownBy: e.scaleResolutionDownBy ?? null, maxBitrate: e.maxBitrate ?? null,
          trackId: s.track.id,
        });
      }
    }
  }
  return out;
}

run(async (ctx) => {
  await ctx.addInitScript(watchPeerConnections);
  const page = await openPage(ctx, url, 'teacher');
  await goLive(page);
  emit({ event: 'live', encodings: await page.evaluate(cameraEncodings) });
  const deadline = Date.now() + holdMs;
  let why = 'timeout';
  while (Date.now() < deadline) {
    let line;
    try {
      line = (await waitLine(deadline - Date.now())).trim();
    } catch {
      break;
    }
    if (line === 'encodings') {
      emit({ event: 'encodings', encodings: await page.evaluate(cameraEncodings) });
    } else if (line === 'end') {
      why = 'end';
      break;
    }
  }
  const shot = await screenshot(page, 'simulcast-teacher');
  return { ended: why, status: await status(page), screenshot: shot, errors: page.errors };
}, { totalMs: holdMs + 60000 });
