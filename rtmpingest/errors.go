package rtmpingest

import "errors"

var (
	// ErrBadKey means the stream key (or join token) is missing, invalid
	// or not a publisher's.
	ErrBadKey = errors.New("rtmpingest: bad stream key")
	// ErrBusy means the lesson already has an RTMP publisher.
	ErrBusy = errors.New("rtmpingest: the lesson already has an RTMP publisher")
	// ErrCodec means the stream's video is not H.264 (or its audio not AAC).
	ErrCodec = errors.New("rtmpingest: unsupported codec")
)
