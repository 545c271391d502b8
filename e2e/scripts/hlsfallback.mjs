// hlsfallback.mjs <lessonURL>
// Opens the lesson as a student whose browser can reach no ICE candidate
// (every RTCPeerConnection is forced to relay-only, and there is no TURN
// server: as behind a firewall that lets no UDP through and no TURN),
// waits for the room to fall back to the live HLS stream and reports the
// HLS video's progress: currentTime sampled twice, 3 s apart.
import { run, openPage, status, screenshot } from './lib.mjs';

const [url] = process.argv.slice(2);

run(async (ctx) => {
  await ctx.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = function RTCPeerConnection(config = {}) {
      return new Native({ ...config, iceTransportPolicy: 'relay' });
    };
    window.RTCPeerConnection.prototype = Native.prototype;
    window.RTCPeerConnection.generateCertificate = Native.generateCertificate;
  });
  const page = await openPage(ctx, url, 'student');
  try {
    await page.waitForSelector('#hls-fallback:not([hidden])', { timeout: 30000 });
  } catch (err) {
    const diag = await page.evaluate(() => ({
      view: document.querySelector('.room')?.dataset.view,
      compat: document.querySelector('#compat')?.hidden,
      videos: [...document.querySelectorAll('video')].map((v) => `${v.id}:${v.videoWidth}x${v.videoHeight}`),
    }));
    throw new Error(`no HLS fallback: ${JSON.stringify(diag)} status=${await status(page)} errors=${page.errors.join('; ')}`);
  }
  const banner = await page.textContent('#hls-banner');
  const bannerKey = await page.getAttribute('#hls-banner', 'data-i18n');
  await page.waitForFunction(() => {
    const v = document.querySelector('#hls-video');
    return v && v.readyState >= 2 && v.currentTime > 0;
  }, null, { timeout: 40000 });
  const t1 = await page.evaluate(() => document.querySelector('#hls-video').currentTime);
  await page.waitForTimeout(3000);
  const t2 = await page.evaluate(() => document.querySelector('#hls-video').currentTime);
  const size = await page.evaluate(() => {
    const v = document.querySelector('#hls-video');
    return { w: v.videoWidth, h: v.videoHeight };
  });
  // How far behind real time the frame on screen is: the HLS program date
  // of the playing position is when the server received it (WebRTC adds
  // well under 0.1 s on loopback).
  // Sampled over 15 s: a player that starts behind catches up (hls.js plays
  // faster until it holds the low-latency edge).
  const delays = [];
  for (let i = 0; i < 30; i++) {
    delays.push(await page.evaluate(() => {
      const d = document.querySelector('#hls-video').lecternHls?.playingDate;
      return d ? (Date.now() - d.getTime()) / 1000 : null;
    }));
    await page.waitForTimeout(500);
  }
  const shot = await screenshot(page, 'hls-student');
  return { banner, bannerKey, t1, t2, delays, ...size, status: await status(page), screenshot: shot, errors: page.errors };
}, { totalMs: 110000 });
