package classroom

import "time"

// RecordingSettings is a course's choice about its lessons' recordings,
// made by its teacher.
type RecordingSettings struct {
	CourseID        string
	Record          bool // lessons are recorded (live HLS runs either way)
	StudentDownload bool // students may download the MP4
	UpdatedAt       time.Time
}

// DefaultRecordingSettings is what a course has until its teacher
// chooses: recorded, no downloads for students.
func DefaultRecordingSettings(courseID string) RecordingSettings {
	return RecordingSettings{CourseID: courseID, Record: true}
}

// Recording is one recording of a lesson: package recorder writes its
// files and keeps this description of it in the store.
type Recording struct {
	ID         string // unique within its lesson; names its directory
	Lesson     string
	State      string // recorder.StateRecording, StateComplete, …
	StartedAt  time.Time
	EndedAt    time.Time // zero while recording
	DurationMS int64
	Size       int64  // bytes on disk
	Reason     string // why it ended early, when it did
	Hidden     bool   // unpublished by the teacher
	Truncated  bool   // ended early (disk full, a write error, the server killed): it holds what was written
}
