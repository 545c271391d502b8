package classroom

import "time"

// ApplicationStatus is where a request to teach stands.
type ApplicationStatus string

// The application statuses.
const (
	ApplicationPending  ApplicationStatus = "pending"
	ApplicationApproved ApplicationStatus = "approved"
	ApplicationRejected ApplicationStatus = "rejected"
)

// MaxApplicationLen bounds an application's message (runes).
const MaxApplicationLen = 2000

// TeacherApplication is an account's request to teach, decided by an
// administrator. A rejected applicant may apply again.
type TeacherApplication struct {
	AccountID   string
	DisplayName string // filled by the store on reads
	Email       string // filled by the store on reads
	Message     string
	Status      ApplicationStatus
	Reason      string // the administrator's reason for a rejection
	DecidedBy   string
	CreatedAt   time.Time
	DecidedAt   time.Time
}

// NewTeacherApplication validates a request to teach from a.
func NewTeacherApplication(a Account, message string, now time.Time) (TeacherApplication, error) {
	if a.Roles.Has(RoleTeacher) {
		return TeacherApplication{}, ErrAlreadyApplied
	}
	m, err := checkBlock("message", message, 0, MaxApplicationLen)
	if err != nil {
		return TeacherApplication{}, err
	}
	return TeacherApplication{AccountID: a.ID, DisplayName: a.DisplayName, Email: a.Email, Message: m,
		Status: ApplicationPending, CreatedAt: now.UTC().Truncate(time.Millisecond)}, nil
}

// Decide approves or rejects a pending application; administrators only,
// and not their own. A rejection needs a reason.
func (t *TeacherApplication) Decide(by Account, approve bool, reason string, now time.Time) error {
	if !by.Roles.Has(RoleAdmin) {
		return ErrForbidden
	}
	if by.ID == t.AccountID {
		return ErrForbidden
	}
	if t.Status != ApplicationPending {
		return ErrConflict
	}
	next := *t
	if approve {
		next.Status, next.Reason = ApplicationApproved, ""
	} else {
		r, err := CheckReviewReason(reason)
		if err != nil {
			return err
		}
		next.Status, next.Reason = ApplicationRejected, r
	}
	next.DecidedBy, next.DecidedAt = by.ID, now.UTC().Truncate(time.Millisecond)
	*t = next
	return nil
}
