// Small SDP readers. The client never edits SDP; it only reads the msid
// of each media section to name its tracks in publish.offer.

// msidsByMid returns Map mid → the track id in that section's a=msid line.
export function msidsByMid(sdp) {
  const out = new Map();
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
    const msid = /^a=msid:\S+ (\S+)/m.exec(section)?.[1];
    if (mid != null && msid) out.set(mid, msid);
  }
  return out;
}
