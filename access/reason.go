package access

import (
	"errors"
	"net/http"

	"github.com/lectern/lectern/classroom"
)

// Door names where an account asks to come in.
type Door string

// The doors.
const (
	DoorToken     Door = "token"     // POST /api/v1/lessons/{id}/join
	DoorWebSocket Door = "websocket" // join (and resume) on /rtc
	DoorWHIP      Door = "whip"      // POST /whip/{lesson}
	DoorWHEP      Door = "whep"      // POST /whep/{lesson}
	DoorHLS       Door = "hls"       // the live HLS playlist and segments
	DoorReplay    Door = "replay"    // a lesson's recording after it ended
	DoorMaterial  Door = "material"  // a material attached to the lesson
	DoorExercise  Door = "exercise"  // an exercise attached to the lesson: read, answer, see one's results
)

// content reports whether the door leads to a course's content (materials
// and exercises), which admins and reviewers read as observers.
func (d Door) content() bool { return d == DoorMaterial || d == DoorExercise }

// live reports whether the door leads into the lesson while it happens:
// those are shut once the lesson has ended.
func (d Door) live() bool {
	switch d {
	case DoorToken, DoorWebSocket, DoorWHIP, DoorWHEP, DoorHLS:
		return true
	}
	return false
}

// Reason is why access was denied: a stable code that clients map to a
// message (docs/security.md). The empty Reason means allowed.
type Reason string

// The reasons.
const (
	Allowed               Reason = ""
	ReasonUnauthenticated Reason = "unauthenticated"  // no account, or an unknown one
	ReasonAccountDisabled Reason = "account_disabled" // an admin disabled the account
	ReasonNotFound        Reason = "not_found"        // no such lesson
	ReasonNotMember       Reason = "not_a_member"     // not the teacher, an assistant, an enrolled student or an admin
	ReasonPaymentRequired Reason = "payment_required" // a paid course without an entitlement (or refunded)
	ReasonBanned          Reason = "banned"           // banned from this lesson
	ReasonLessonEnded     Reason = "lesson_ended"     // the lesson is over
	ReasonForbidden       Reason = "forbidden"        // the role may not use this door (a student at WHIP)
	ReasonRoleChanged     Reason = "role_changed"     // the token's role is no longer the account's: join again
)

// messages are safe to show to the person denied.
var messages = map[Reason]string{
	ReasonUnauthenticated: "sign in first",
	ReasonAccountDisabled: "your account has been disabled",
	ReasonNotFound:        "no such lesson",
	ReasonNotMember:       "you are not the teacher, an assistant or an enrolled student of this course",
	ReasonPaymentRequired: "your access to this course ended: buy it to join its lessons",
	ReasonBanned:          "you were removed from this lesson",
	ReasonLessonEnded:     "the lesson has ended",
	ReasonForbidden:       "your role may not use this",
	ReasonRoleChanged:     "your role in this course changed: join again",
}

// Message returns the reason's text.
func (r Reason) Message() string { return messages[r] }

// HTTPStatus is the status an HTTP door answers a denial with.
func (r Reason) HTTPStatus() int {
	switch r {
	case ReasonUnauthenticated:
		return http.StatusUnauthorized
	case ReasonNotFound:
		return http.StatusNotFound
	case ReasonPaymentRequired:
		return http.StatusPaymentRequired
	case ReasonLessonEnded:
		return http.StatusConflict
	}
	return http.StatusForbidden
}

// Denied is the error of a denied Decision.
type Denied struct {
	Reason  Reason
	Message string
}

func (e *Denied) Error() string { return "access: " + string(e.Reason) + ": " + e.Message }

// Is makes a denial match the classroom sentinel it stands for, so code
// that knows only those still maps it.
func (e *Denied) Is(target error) bool {
	switch e.Reason {
	case ReasonPaymentRequired:
		return target == classroom.ErrEntitlementRequired
	case ReasonLessonEnded:
		return target == classroom.ErrLessonEnded
	case ReasonNotFound:
		return target == classroom.ErrNotFound
	}
	return false
}

// ReasonOf returns the reason of a denial error, or "" if err is not one.
func ReasonOf(err error) Reason {
	var d *Denied
	if errors.As(err, &d) {
		return d.Reason
	}
	return Allowed
}
