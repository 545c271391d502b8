// Which video goes where. Pure functions of what is received or captured,
// kept apart from the DOM so the rules are easy to read and change.

const MODERATOR = new Set(['teacher', 'assistant']);

// studentLayout picks, from the received tracks, the main video, the
// picture-in-picture and the rest: a live screen share is the main video
// with its presenter's camera small; otherwise the teacher's camera.
//   received: [{info:{id, participantId, kind, source}, track}]
//   roleOf(participantId) → role
// Each video item is {track, trackId (the server's id), source, name,
// participantId}.
export function studentLayout(received, roleOf, nameOf) {
  const videos = received.filter((r) => r.info.kind === 'video' || r.track.kind === 'video');
  const rank = (r) => (roleOf(r.info.participantId) === 'teacher' ? 0 : MODERATOR.has(roleOf(r.info.participantId)) ? 1 : 2);
  const byRank = [...videos].sort((a, b) => rank(a) - rank(b));
  const screen = byRank.find((r) => r.info.source === 'screen');
  const camOf = (pid) => videos.find((r) => r.info.source === 'camera' && r.info.participantId === pid);
  const camera = (screen && camOf(screen.info.participantId)) || byRank.find((r) => r.info.source !== 'screen');
  const main = screen || camera || null;
  const pip = screen ? camera || null : null;
  const item = (r) => r && {
    track: r.track, trackId: r.info.id, source: r.info.source, name: nameOf(r.info.participantId), participantId: r.info.participantId,
  };
  return {
    main: item(main),
    pip: item(pip),
    others: videos.filter((r) => r !== main && r !== pip).map(item),
    audio: received.filter((r) => r.info.kind === 'audio' || r.track.kind === 'audio').map((r) => r.track),
  };
}

// teacherLayout shows what the teacher captures: the screen share large
// with the camera small, or the camera (mirrored, as in a mirror).
export function teacherLayout(local, selfName, screenName) {
  const camera = local.camera && { track: local.camera, source: 'camera', name: selfName, mirror: true };
  const screen = local.screen && { track: local.screen, source: 'screen', name: screenName };
  return { main: screen || camera || null, pip: screen ? camera || null : null };
}
