package recorder

import "errors"

var (
	// ErrForbidden means the request carries no valid grant for the lesson.
	ErrForbidden = errors.New("recorder: no valid access grant")
	// ErrNotFound means no such lesson stream or recording file.
	ErrNotFound = errors.New("recorder: not found")
	// ErrDiskFull means the recordings directory is below its free-space floor.
	ErrDiskFull = errors.New("recorder: not enough free disk space")
	// ErrBusy means the recording is still being written.
	ErrBusy = errors.New("recorder: busy")
	// ErrClosed means the recorder has been closed.
	ErrClosed = errors.New("recorder: closed")
)
