// Package content owns a course's materials: the bytes (a content-addressed
// blob store, local disk now, an object store later), their metadata (kept
// behind the Store interface that package store implements on both
// backends), the rules an upload must pass (names, types decided by
// sniffing the bytes, per-course quotas and size limits, deduplication) and
// the short-lived signed URLs materials are served under.
//
// HTTP lives in package api (materials*.go): the tus upload endpoint
// finishes into Service.Add, and the file endpoint checks a URL signed
// here. content knows nothing of HTTP sessions, money or RTP; it must not
// import api, billing, signaling or sfu.
package content
