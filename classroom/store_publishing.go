package classroom

import (
	"context"
	"time"
)

// Publishing persists course reviews, teacher applications, the
// administrators' account actions and the audit log. Each write that is
// audited appends its AuditEntry in the same transaction: if the entry
// cannot be written, nothing is.
type Publishing interface {
	// SetCourseReview writes c's Review (state, submission, decision) if
	// the stored course is still in state prev at revision c.Revision;
	// ErrConflict otherwise. e, when its Action is set, and the notices
	// are written in the same transaction.
	SetCourseReview(ctx context.Context, c Course, prev CourseState, e AuditEntry, notices ...Notice) error

	// CreateTeacherApplication records a pending application, replacing a
	// rejected one; ErrAlreadyApplied if one is pending or approved.
	CreateTeacherApplication(ctx context.Context, a TeacherApplication) error
	// TeacherApplication returns accountID's application.
	TeacherApplication(ctx context.Context, accountID string) (TeacherApplication, error)
	// ListTeacherApplications lists applications in status ("" for all),
	// oldest first.
	ListTeacherApplications(ctx context.Context, status ApplicationStatus, p Page) ([]TeacherApplication, error)
	// DecideTeacherApplication writes the decision if the application is
	// still pending (ErrConflict otherwise), gives the teacher role on
	// approval, and appends e and the notices.
	DecideTeacherApplication(ctx context.Context, a TeacherApplication, e AuditEntry, notices ...Notice) error

	// SetRoles replaces an account's roles and appends e; ErrLastAdmin if
	// no enabled administrator would remain.
	SetRoles(ctx context.Context, accountID string, roles Roles, now time.Time, e AuditEntry) error
	// SetDisabled disables (at non-zero; every session is revoked) or
	// enables (at zero) an account and appends e; ErrLastAdmin if no
	// enabled administrator would remain.
	SetDisabled(ctx context.Context, accountID string, at time.Time, e AuditEntry) error
	// SetTrusted marks an account trusted (at non-zero) or not (at zero)
	// and appends e.
	SetTrusted(ctx context.Context, accountID string, at time.Time, e AuditEntry) error
	// RevokeSessions signs an account out everywhere and appends e.
	RevokeSessions(ctx context.Context, accountID string, e AuditEntry) (int64, error)
	// SearchAccounts finds accounts whose email or display name contains
	// text (case-insensitive), newest first.
	SearchAccounts(ctx context.Context, text string, p Page) ([]Account, error)

	// Notices lists accountID's notices, newest first.
	Notices(ctx context.Context, accountID string, p Page) ([]Notice, error)
	// MarkNoticesRead marks every unread notice of accountID read at at.
	MarkNoticesRead(ctx context.Context, accountID string, at time.Time) error

	// AppendAudit appends e on its own.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// ListAudit lists entries newest first.
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}
