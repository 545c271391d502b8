package peer

import (
	"path/filepath"
	"runtime"
	"sync"
)

// MediaDir is the repository's testdata/media, found from this source file:
// for tests, which run inside the source tree.
func MediaDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "media")
}

// teacherClips loads the committed teacher clips once per process.
var teacherClips = sync.OnceValues(func() ([2]Clip, error) {
	v, err := LoadIVF(filepath.Join(MediaDir(), "teacher.ivf"))
	if err != nil {
		return [2]Clip{}, err
	}
	a, err := LoadOgg(filepath.Join(MediaDir(), "teacher.ogg"))
	return [2]Clip{v, a}, err
})

// NewH264Teacher returns a loopback publisher of the committed H.264
// teacher clip (30 fps) and its Opus sound: what a recorded lesson's
// browser publishes.
func NewH264Teacher() (*Publisher, error) {
	clip, err := LoadH264(filepath.Join(MediaDir(), "teacher.h264"), 30)
	if err != nil {
		return nil, err
	}
	audio, err := LoadOgg(filepath.Join(MediaDir(), "teacher.ogg"))
	if err != nil {
		return nil, err
	}
	api, err := NewAPI()
	if err != nil {
		return nil, err
	}
	return NewPublisher(api, clip, audio)
}

// NewTeacher returns a loopback publisher of the committed teacher clips
// (320×240 VP8 with a keyframe every second, and Opus).
func NewTeacher() (*Publisher, error) {
	clips, err := teacherClips()
	if err != nil {
		return nil, err
	}
	api, err := NewAPI()
	if err != nil {
		return nil, err
	}
	return NewPublisher(api, clips[0], clips[1])
}
