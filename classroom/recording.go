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
