// Local capture: camera, microphone, screen, and the device lists.

const CAMERA = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } };
const MICROPHONE = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export async function openCamera(deviceId) {
  const video = { ...CAMERA };
  if (deviceId) video.deviceId = { exact: deviceId };
  const s = await navigator.mediaDevices.getUserMedia({ video, audio: false });
  return s.getVideoTracks()[0];
}

export async function openMicrophone(deviceId) {
  const audio = { ...MICROPHONE };
  if (deviceId) audio.deviceId = { exact: deviceId };
  const s = await navigator.mediaDevices.getUserMedia({ audio, video: false });
  return s.getAudioTracks()[0];
}

// openScreen asks the user for a screen, window or tab. Resolves with the
// video track, or null if the user cancelled.
export async function openScreen() {
  try {
    const s = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: { ideal: 15, max: 30 } },
      audio: false,
    });
    return s.getVideoTracks()[0];
  } catch (err) {
    if (err.name === 'NotAllowedError' || err.name === 'AbortError') return null;
    throw err;
  }
}

// listDevices returns {cameras, microphones}: [{deviceId, label}].
export async function listDevices() {
  const all = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind) => all
    .filter((d) => d.kind === kind && d.deviceId)
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label, index: i + 1 }));
  return { cameras: pick('videoinput'), microphones: pick('audioinput') };
}

export function stopTrack(track) {
  if (track && track.readyState !== 'ended') track.stop();
}

// mediaError maps a getUserMedia failure to a dictionary key.
export function mediaErrorKey(err) {
  switch (err?.name) {
    case 'NotAllowedError': return 'media.denied';
    case 'NotFoundError': case 'OverconstrainedError': return 'media.notFound';
    case 'NotReadableError': return 'media.busy';
    default: return 'media.failed';
  }
}
