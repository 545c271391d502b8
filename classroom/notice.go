package classroom

import (
	"time"

	"github.com/google/uuid"
)

// Notice tells an account something happened: a kind (e.g.
// "course.approved") and its values, which the client turns into a
// sentence in the reader's language.
type Notice struct {
	ID        string
	AccountID string
	Kind      string
	Vars      map[string]string
	CreatedAt time.Time
	ReadAt    time.Time
}

// The notice kinds.
const (
	NoticeCourseApproved   = "course.approved"
	NoticeCourseRejected   = "course.rejected"
	NoticeTeacherApproved  = "teacher.approved"
	NoticeTeacherRejected  = "teacher.rejected"
	NoticeMaterialApproved = "material.approved"
	NoticeMaterialRejected = "material.rejected"
)

// NewNotice returns a notice for accountID.
func NewNotice(accountID, kind string, vars map[string]string, now time.Time) Notice {
	return Notice{ID: uuid.NewString(), AccountID: accountID, Kind: kind, Vars: vars,
		CreatedAt: now.UTC().Truncate(time.Millisecond)}
}
