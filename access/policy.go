package access

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/token"
)

// Facts reads what a decision rests on. Package store implements it.
type Facts interface {
	Account(ctx context.Context, id string) (classroom.Account, error)
	Lesson(ctx context.Context, id string) (classroom.Lesson, error)
	// Course returns the course with its assistants.
	Course(ctx context.Context, id string) (classroom.Course, error)
	Enrolled(ctx context.Context, courseID, accountID string) (bool, error)
}

// Entitlements decides paid access; billing implements it. It returns nil
// when account may use the course's content for lessonID ("" for the
// course), or an error wrapping classroom.ErrEntitlementRequired.
type Entitlements interface {
	MayAccess(ctx context.Context, account classroom.Account, course classroom.Course, lessonID string) error
}

// Bans says whether an account is banned from a lesson; the live
// classroom (through signaling) implements it.
type Bans interface {
	Banned(ctx context.Context, lessonID, accountID string) bool
}

// Decision is the policy's answer.
type Decision struct {
	// Reason is Allowed ("") when the door opens.
	Reason Reason
	// Role is the role the account takes in the lesson when allowed:
	// teacher, assistant or student. (Admins have no role in a course's
	// lessons unless they teach, assist or study it.)
	Role token.Role
	// Account, Course and Lesson are what the decision read (zero when it
	// stopped before reading them).
	Account classroom.Account
	Course  classroom.Course
	Lesson  classroom.Lesson
}

// Allowed reports whether the door opens.
func (d Decision) Allowed() bool { return d.Reason == Allowed }

// Err returns nil when allowed, or a *Denied.
func (d Decision) Err() error {
	if d.Allowed() {
		return nil
	}
	return &Denied{Reason: d.Reason, Message: d.Reason.Message()}
}

// Policy is the access policy. It is safe for concurrent use.
type Policy struct {
	facts Facts
	ent   Entitlements
	bans  atomic.Pointer[bansBox]
}

type bansBox struct{ Bans }

// Option configures a Policy.
type Option func(*Policy)

// WithEntitlements makes paid courses need an entitlement (nil: every
// course is free).
func WithEntitlements(e Entitlements) Option { return func(p *Policy) { p.ent = e } }

// WithBans sets where bans are read (also settable later with SetBans).
func WithBans(b Bans) Option { return func(p *Policy) { p.SetBans(b) } }

// New returns a Policy reading facts.
func New(facts Facts, opts ...Option) *Policy {
	p := &Policy{facts: facts}
	for _, o := range opts {
		o(p)
	}
	return p
}

// SetBans sets where bans are read. The live classroom is built after the
// policy, so it is wired in afterwards.
func (p *Policy) SetBans(b Bans) {
	if b == nil {
		p.bans.Store(nil)
		return
	}
	p.bans.Store(&bansBox{b})
}

func (p *Policy) banned(ctx context.Context, lessonID, accountID string) bool {
	b := p.bans.Load()
	return b != nil && b.Banned(ctx, lessonID, accountID)
}

// Decide says whether accountID may pass door into lessonID. It reads the
// account (unknown → unauthenticated, disabled → account_disabled), the
// lesson (unknown → not_found), the account's relation to the lesson's
// course (none → not_a_member, admins included), the door
// (only the teacher and assistants publish through WHIP → forbidden; admins
// and reviewers read materials and exercises as observers, to review
// them, and admins watch replays as observers), the
// lesson's status (an ended lesson shuts the live doors → lesson_ended), a
// ban from the lesson (→ banned) and, for students, the entitlement
// (→ payment_required). A failure to read the facts is returned as err
// (the door answers 500 and keeps the connection as it is).
func (p *Policy) Decide(ctx context.Context, accountID, lessonID string, door Door) (Decision, error) {
	return p.decide(ctx, accountID, lessonID, "", door)
}

// decide is Decide for lessonID, or DecideCourse for courseID when
// lessonID is "".
func (p *Policy) decide(ctx context.Context, accountID, lessonID, courseID string, door Door) (Decision, error) {
	var d Decision
	if accountID == "" {
		d.Reason = ReasonUnauthenticated
		return d, nil
	}
	acc, err := p.facts.Account(ctx, accountID)
	if errors.Is(err, classroom.ErrNotFound) {
		d.Reason = ReasonUnauthenticated
		return d, nil
	}
	if err != nil {
		return d, err
	}
	d.Account = acc
	if acc.Disabled() {
		d.Reason = ReasonAccountDisabled
		return d, nil
	}
	if lessonID != "" {
		d.Lesson, err = p.facts.Lesson(ctx, lessonID)
		courseID = d.Lesson.CourseID
	}
	if err == nil {
		d.Course, err = p.facts.Course(ctx, courseID)
	}
	if errors.Is(err, classroom.ErrNotFound) {
		d.Reason = ReasonNotFound
		return d, nil
	}
	if err != nil {
		return d, err
	}
	if d.Role, err = p.role(ctx, acc, d.Course, door); err != nil || d.Role == "" {
		if err == nil {
			d.Reason = ReasonNotMember
		}
		return d, err
	}
	if d.Role == token.RoleObserver {
		return d, nil // an admin or reviewer outside the course, reviewing
	}
	if door == DoorWHIP && !token.DefaultPermissions(d.Role).Publish {
		d.Reason = ReasonForbidden
		return d, nil
	}
	if lessonID != "" && door.live() && d.Lesson.Status == classroom.StatusEnded {
		d.Reason = ReasonLessonEnded
		return d, nil
	}
	if lessonID != "" && !d.Role.Moderator() && p.banned(ctx, lessonID, acc.ID) {
		d.Reason = ReasonBanned
		return d, nil
	}
	if d.Role == token.RoleStudent && p.ent != nil {
		if err := p.ent.MayAccess(ctx, acc, d.Course, lessonID); err != nil {
			if errors.Is(err, classroom.ErrEntitlementRequired) {
				d.Reason = ReasonPaymentRequired
				return d, nil
			}
			return d, err
		}
	}
	return d, nil
}

// DecideOperator is Decide for a token made by the operator with the
// server's secret (`lectern token create`, the --dev demo links): it names
// no account, so only the lesson's status (when the store knows the
// lesson) and bans apply.
func (p *Policy) DecideOperator(ctx context.Context, userID, lessonID string, door Door) (Decision, error) {
	var d Decision
	l, err := p.facts.Lesson(ctx, lessonID)
	switch {
	case err == nil:
		d.Lesson = l
		if door.live() && l.Status == classroom.StatusEnded {
			d.Reason = ReasonLessonEnded
			return d, nil
		}
	case !errors.Is(err, classroom.ErrNotFound):
		return d, err
	}
	if p.banned(ctx, lessonID, userID) {
		d.Reason = ReasonBanned
	}
	return d, nil
}
