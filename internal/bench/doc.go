// Package bench measures what one Lectern server carries: `lectern bench`.
//
// A run starts a server in this process (or targets a running one by URL),
// has one synthetic teacher publish VP8 video (one layer, or three simulcast
// layers when the clips are given) and Opus from committed files, and joins
// N synthetic students through the real signalling protocol, all of them
// Pion peers in this process. Each student measures what it receives: loss,
// bitrate, the simulcast layer it is on, the time from opening its WebSocket
// to its first complete video frame, and the delay of every packet from the
// teacher's transport to its own (see peer.Stamps: same process, same
// clock, no marker in the media). Some students may chat, and the fan-out
// delay of each message to every student is measured too. The server's CPU
// time and resident memory are read from /proc.
//
// A ramp grows N step by step until loss passes 1 % or the p99 delay
// passes 50 ms and reports the last N that held.
//
// Honesty about what is measured: in-process, /proc/self is the server and
// the synthetic peers together, so CPU and memory are upper bounds for the
// server and packets per core a lower bound; with Config.ServerPID (a
// server started separately, ideally pinned with taskset) they are the
// server's alone. Delays always include the peers' own scheduling.
//
// bench may import any Lectern package; nothing imports it but cmd/lectern.
package bench
