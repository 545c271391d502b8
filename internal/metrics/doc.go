// Package metrics exposes Lectern's figures to Prometheus: the media
// server's (rooms, participants, tracks, packets and bytes forwarded,
// NACKs, PLIs, layer switches, join-to-first-frame), signalling messages
// by type, HTTP requests by route, status and latency, the database pool,
// orders and refunds by status, TURN allocations, and recordings (active,
// bytes and segments written, failures). Gauges and
// counters of other packages are read at scrape time through their
// read-only accessors; nothing here sits on the media path.
package metrics
