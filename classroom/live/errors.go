package live

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. They are part of the wire protocol: clients switch on them.
const (
	CodeForbidden   = "forbidden"    // the actor's role or state does not allow the command
	CodeNotFound    = "not_found"    // the participant, message, question or poll does not exist
	CodeRateLimited = "rate_limited" // too many messages, or slow mode
	CodeTooLong     = "too_long"     // text or payload over its limit
	CodeBanned      = "banned"       // the user is banned from this lesson
	CodeLocked      = "locked"       // the lesson is locked against new joins
	CodeStageFull   = "stage_full"   // the stage limit is reached
	CodePollClosed  = "poll_closed"  // the poll is closed
	CodeInvalid     = "invalid"      // arguments out of range or malformed JSON
	CodeConflict    = "conflict"     // the command does not fit the current state (vote twice, hand already up)
	CodeEnded       = "ended"        // the lesson has ended
	CodeUnknownType = "unknown_type" // Dispatch got a message type it does not know
	CodeInternal    = "internal"     // the store failed
)

// Error is a refused command. Code is one of the Code constants; Message is
// for humans. RetryAfter is set with CodeRateLimited.
type Error struct {
	Code       string        `json:"code"`
	Message    string        `json:"message"`
	RetryAfter time.Duration `json:"-"`
	// RetryAfterMs mirrors RetryAfter for the wire.
	RetryAfterMs int64 `json:"retryAfterMs,omitempty"`
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "live: " + e.Code
	}
	return "live: " + e.Code + ": " + e.Message
}

// Is makes errors.Is(err, ErrForbidden) true for any *Error with the same
// Code, whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrForbidden   = &Error{Code: CodeForbidden}
	ErrNotFound    = &Error{Code: CodeNotFound}
	ErrRateLimited = &Error{Code: CodeRateLimited}
	ErrTooLong     = &Error{Code: CodeTooLong}
	ErrBanned      = &Error{Code: CodeBanned}
	ErrLocked      = &Error{Code: CodeLocked}
	ErrStageFull   = &Error{Code: CodeStageFull}
	ErrPollClosed  = &Error{Code: CodePollClosed}
	ErrInvalid     = &Error{Code: CodeInvalid}
	ErrConflict    = &Error{Code: CodeConflict}
	ErrEnded       = &Error{Code: CodeEnded}
	ErrUnknownType = &Error{Code: CodeUnknownType}
	ErrInternal    = &Error{Code: CodeInternal}
)

// CodeOf returns the Code of err if it is (or wraps) an *Error, else
// CodeInternal; "" for nil.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

func errf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func rateLimited(wait time.Duration, what string) *Error {
	return &Error{
		Code:         CodeRateLimited,
		Message:      fmt.Sprintf("%s: try again in %s", what, wait.Round(100*time.Millisecond)),
		RetryAfter:   wait,
		RetryAfterMs: wait.Milliseconds(),
	}
}

// internal is what a client sees when the store fails: the cause is logged
// by the caller and never sent.
func internal(error) *Error {
	return &Error{Code: CodeInternal, Message: "storage failed"}
}
