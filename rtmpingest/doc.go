// Package rtmpingest lets a teacher go live from OBS or any RTMP encoder:
// rtmp://HOST:PORT/live/<stream key> (gortmplib). The H.264 video enters
// the SFU unchanged as the teacher's camera, through an in-process WebRTC
// publisher (a Pion PeerConnection over loopback), so WebRTC students,
// WHEP players and the recorder receive it like any teacher video. AAC
// audio becomes Opus through an ffmpeg subprocess (no AAC decoder is
// among the project's dependencies).
//
// One publisher per lesson: a second is refused. A dropped connection
// ends the tracks, never the lesson.
package rtmpingest
