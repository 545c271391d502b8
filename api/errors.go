package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
)

// Error is an API error: an HTTP status and the JSON body
// {"code": ..., "message": ..., "field": ...}.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errors the handlers return directly.
var (
	errUnauthenticated = &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "sign in first"}
	errCSRF            = &Error{Status: http.StatusForbidden, Code: "csrf", Message: "missing or wrong X-CSRF-Token header"}
	errNotMember       = &Error{Status: http.StatusForbidden, Code: "not_a_member", Message: "you are not the teacher, an assistant or an enrolled student of this course"}
	errNotFound        = &Error{Status: http.StatusNotFound, Code: "not_found", Message: "not found"}
	errReviewersOnly   = &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "reviewers only"}
)

// sentinels maps classroom's errors to responses.
var sentinels = []struct {
	err    error
	status int
	code   string
}{
	{classroom.ErrNotFound, http.StatusNotFound, "not_found"},
	{classroom.ErrWeakPassword, http.StatusUnprocessableEntity, "weak_password"},
	{classroom.ErrImageTooLarge, http.StatusRequestEntityTooLarge, "image_too_large"},
	{classroom.ErrImageType, http.StatusUnsupportedMediaType, "unsupported_image"},
	{classroom.ErrInvalid, http.StatusUnprocessableEntity, "invalid_input"},
	{classroom.ErrEmailTaken, http.StatusConflict, "email_taken"},
	{classroom.ErrBadCredentials, http.StatusUnauthorized, "bad_credentials"},
	{classroom.ErrBadToken, http.StatusBadRequest, "invalid_token"},
	{classroom.ErrTokenUsed, http.StatusGone, "token_used"},
	{classroom.ErrForbidden, http.StatusForbidden, "forbidden"},
	{classroom.ErrAlreadyEnrolled, http.StatusConflict, "already_enrolled"},
	{classroom.ErrStatus, http.StatusConflict, "invalid_status_change"},
	{classroom.ErrLessonEnded, http.StatusConflict, "lesson_ended"},
	{classroom.ErrAlreadyEnded, http.StatusConflict, "already_ended"},
	{classroom.ErrConflict, http.StatusConflict, "conflict"},
	{classroom.ErrEntitlementRequired, http.StatusPaymentRequired, "payment_required"},
	{classroom.ErrCourseState, http.StatusConflict, "course_state"},
	{classroom.ErrOwnCourse, http.StatusForbidden, "own_course"},
	{classroom.ErrLastAdmin, http.StatusConflict, "last_admin"},
	{classroom.ErrAccountDisabled, http.StatusForbidden, "account_disabled"},
	{classroom.ErrAlreadyApplied, http.StatusConflict, "already_applied"},
}

// toError turns any handler error into an *Error. Unknown errors become a
// 500 whose message says nothing of the cause; the caller logs it.
func toError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	var denied *access.Denied
	if errors.As(err, &denied) {
		return &Error{Status: denied.Reason.HTTPStatus(), Code: string(denied.Reason), Message: denied.Message}, true
	}
	var fe *classroom.FieldError
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			out := &Error{Status: s.status, Code: s.code, Message: messageOf(s.err)}
			if errors.As(err, &fe) {
				out.Field, out.Message = fe.Field, fe.Field+" "+fe.Reason
			}
			return out, true
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Status: http.StatusServiceUnavailable, Code: "timeout", Message: "the server took too long; try again"}, false
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}, false
}

func messageOf(err error) string {
	msg := err.Error()
	const prefix = "classroom: "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}

func writeError(w http.ResponseWriter, e *Error) {
	if e.Status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
	writeJSON(w, e.Status, e)
}
