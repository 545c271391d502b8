package classroom

import (
	"errors"
	"fmt"
)

// Sentinel errors. Stores and the API compare with errors.Is.
var (
	// ErrNotFound means the account, session, course, lesson or image does
	// not exist (or is not visible to the caller).
	ErrNotFound = errors.New("classroom: not found")
	// ErrInvalid is wrapped by every *FieldError: some input broke a rule.
	ErrInvalid = errors.New("classroom: invalid input")
	// ErrWeakPassword is wrapped by the *FieldError for a password that is
	// too short, too long or too simple.
	ErrWeakPassword = errors.New("classroom: password too weak")
	// ErrEmailTaken means another account already uses the email.
	ErrEmailTaken = errors.New("classroom: email already registered")
	// ErrBadCredentials means the email or password did not match.
	ErrBadCredentials = errors.New("classroom: wrong email or password")
	// ErrBadToken means a session or reset token is malformed, unknown,
	// expired or does not match.
	ErrBadToken = errors.New("classroom: invalid or expired token")
	// ErrTokenUsed means a one-time token was already spent.
	ErrTokenUsed = errors.New("classroom: token already used")
	// ErrForbidden means the caller may not do this to this thing.
	ErrForbidden = errors.New("classroom: not allowed")
	// ErrAlreadyEnrolled means the student is already enrolled.
	ErrAlreadyEnrolled = errors.New("classroom: already enrolled")
	// ErrStatus means a lesson cannot move from its status to the one asked.
	ErrStatus = errors.New("classroom: lesson status cannot change that way")
	// ErrLessonEnded means the lesson is over and cannot be joined or edited.
	ErrLessonEnded = errors.New("classroom: lesson has ended")
	// ErrAlreadyEnded means the lesson was ended before (by someone else).
	ErrAlreadyEnded = errors.New("classroom: the lesson has already ended")
	// ErrConflict means the thing changed underneath the caller; retry.
	ErrConflict = errors.New("classroom: changed concurrently")
	// ErrImageTooLarge and ErrImageType reject an avatar or cover.
	ErrImageTooLarge = errors.New("classroom: image too large")
	ErrImageType     = errors.New("classroom: image type not allowed")
	// ErrEntitlementRequired is returned by an access policy (billing) when
	// a course must be paid for before enrolling or joining.
	ErrEntitlementRequired = errors.New("classroom: course requires purchase")
	// ErrCourseState means a course cannot move from its publishing state
	// that way (e.g. approving a draft).
	ErrCourseState = errors.New("classroom: course state does not allow that")
	// ErrOwnCourse means a reviewer tried to decide on a course they teach
	// or assist.
	ErrOwnCourse = errors.New("classroom: cannot review your own course")
	// ErrLastAdmin means the change would leave no enabled administrator.
	ErrLastAdmin = errors.New("classroom: the last administrator cannot be removed or disabled")
	// ErrAccountDisabled means the account was disabled by an administrator.
	ErrAccountDisabled = errors.New("classroom: account disabled")
	// ErrAlreadyApplied means a teacher application is already pending or
	// approved.
	ErrAlreadyApplied = errors.New("classroom: application already made")
)

// FieldError says which input field broke which rule. It wraps ErrInvalid,
// or a more precise sentinel such as ErrWeakPassword.
type FieldError struct {
	Field  string // JSON name of the field, e.g. "display_name"
	Reason string // human-readable, safe to show
	Err    error  // ErrInvalid unless more precise
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("classroom: %s: %s", e.Field, e.Reason)
}

// Unwrap returns the sentinel the error stands for.
func (e *FieldError) Unwrap() error { return e.Err }

func invalid(field, reason string) error {
	return &FieldError{Field: field, Reason: reason, Err: ErrInvalid}
}
