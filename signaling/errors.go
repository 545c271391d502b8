package signaling

import (
	"errors"
	"fmt"
)

// Error codes sent in error messages (docs/protocol.md).
const (
	CodeBadRequest         = "bad_request"
	CodeUnsupportedVersion = "unsupported_version"
	CodeUnknownType        = "unknown_type"
	CodeNotJoined          = "not_joined"
	CodeAlreadyJoined      = "already_joined"
	CodeUnauthorized       = "unauthorized"
	CodeForbidden          = "forbidden"
	CodeBadSDP             = "bad_sdp"
	CodeNotFound           = "not_found"
	CodeRateLimited        = "rate_limited"
	CodeInternal           = "internal"
	CodeAlreadyEnded       = "already_ended"
)

// WebSocket close codes (docs/protocol.md). The close reason carries the
// precise code (an access.Reason such as "payment_required", or
// "removed", "banned", "lesson_ended") for the client to explain.
const (
	CloseUnauthorized = 4001 // bad or expired token, unknown account, role changed
	CloseReplaced     = 4002 // the same user joined from another connection
	CloseRemoved      = 4003 // removed (or banned) from the lesson by a moderator
	CloseIdle         = 4008
	CloseAccessEnded  = 4010 // access to the course ended: refund, removal from the course, account disabled
	CloseLessonEnded  = 4011 // the lesson has ended
	CloseTooMany      = 4029 // too many sessions for this token, account or address
)

// Error is a typed error sent to one client.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodedError is implemented by errors from other packages (the classroom)
// that carry their own protocol code.
type CodedError interface {
	error
	ErrorCode() string
}

// asProtocolError turns any error into the message the client receives.
func asProtocolError(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	var ce CodedError
	if errors.As(err, &ce) {
		return &Error{Code: ce.ErrorCode(), Message: ce.Error()}
	}
	return &Error{Code: CodeInternal, Message: "internal error"}
}
