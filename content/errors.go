package content

import "errors"

// Errors of the content rules. Each is wrapped with the detail that makes
// the message precise; test them with errors.Is.
var (
	// ErrEmpty: a 0-byte file.
	ErrEmpty = errors.New("content: the file is empty")
	// ErrTooLarge: a file over the per-file size limit.
	ErrTooLarge = errors.New("content: the file is larger than the size limit")
	// ErrQuota: the course's quota would be exceeded.
	ErrQuota = errors.New("content: the course's storage quota would be exceeded")
	// ErrBadName: an empty, over-long or path-like name (.., /, \, control
	// characters).
	ErrBadName = errors.New("content: invalid file name")
	// ErrTypeMismatch: the name's extension says one type, the bytes
	// another.
	ErrTypeMismatch = errors.New("content: the file's extension does not match its content")
	// ErrUnsupportedType: the bytes are of a type materials may not have.
	ErrUnsupportedType = errors.New("content: unsupported file type")
	// ErrDuplicate: the same bytes are already a material of the course;
	// the error is a *DuplicateError naming it.
	ErrDuplicate = errors.New("content: the course already has this file")
	// ErrCorrupt: a stored blob no longer matches its checksum.
	ErrCorrupt = errors.New("content: stored file does not match its checksum")
	// ErrNotFound: no such material or blob.
	ErrNotFound = errors.New("content: not found")
	// ErrBadSignature: a material URL whose signature is wrong or expired.
	ErrBadSignature = errors.New("content: invalid or expired link")
	// ErrNotPending: a review decision on a material not waiting for one.
	ErrNotPending = errors.New("content: the material is not waiting for review")
)

// DuplicateError says which material already holds the same bytes.
type DuplicateError struct{ Existing Material }

func (e *DuplicateError) Error() string {
	return ErrDuplicate.Error() + " (" + e.Existing.Name + ")"
}

// Unwrap makes errors.Is(err, ErrDuplicate) true.
func (e *DuplicateError) Unwrap() error { return ErrDuplicate }

// Exercise errors.
var (
	// ErrInvalidExercise: a field of an exercise, an answer or a grade is
	// invalid; the error is an *ExerciseError naming it.
	ErrInvalidExercise = errors.New("content: invalid exercise")
	// ErrPastDue: an answer after the exercise's due date.
	ErrPastDue = errors.New("content: the exercise is past its due date")
	// ErrNoAttemptsLeft: the student has used every attempt.
	ErrNoAttemptsLeft = errors.New("content: no attempts left")
)
