// Package recorder turns a lesson's media into HLS: live, for students
// whose network lets no WebRTC through, and on disk, as the lesson's
// recording. Per lesson it taps the SFU (sfu.Tap: the main video and its
// publisher's microphone, without a PeerConnection), depacketises H.264
// and Opus without decoding them and writes fragmented MP4 through
// gohlslib's muxer. Finished segments are copied to
// <data-dir>/recordings/<lesson>/<recording>/ with playlists rewritten
// after every copy, so that a recording cut short by a crash stays
// playable. See docs/recording.md for the codec decision.
//
// recorder knows nothing of accounts or money: who may watch is asked of
// an Authorizer the caller provides.
package recorder
