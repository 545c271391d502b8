// preferH264 puts H.264 first in a video transceiver's codec list, so that
// the lesson's recording is a remux of what the browser sends
// (docs/recording.md). Browsers that cannot encode H.264 keep their order.
export function preferH264(tx) {
  if (!tx?.setCodecPreferences || typeof RTCRtpSender === 'undefined') return;
  const caps = RTCRtpSender.getCapabilities?.('video');
  if (!caps) return;
  const h264 = caps.codecs.filter((c) => /^video\/h264$/i.test(c.mimeType) && /packetization-mode=1/.test(c.sdpFmtpLine || ''));
  if (h264.length === 0) return;
  // Constrained Baseline first: every receiver decodes it.
  h264.sort((a, b) => Number(/42e01f/.test(b.sdpFmtpLine)) - Number(/42e01f/.test(a.sdpFmtpLine)));
  const rest = caps.codecs.filter((c) => !h264.includes(c));
  try {
    tx.setCodecPreferences([...h264, ...rest]);
  } catch (err) {
    console.warn('lectern: H.264 preference not applied', err);
  }
}

let wantH264 = false;

// setPreferH264 is set from the join response: the server records lessons
// from H.264 (docs/recording.md).
export function setPreferH264(on) { wantH264 = !!on; }

// maybePreferH264 applies preferH264 to a video transceiver when the server
// asked for it.
export function maybePreferH264(tx, kind) {
  if (wantH264 && kind === 'video') preferH264(tx);
}
