package classroom

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// Limits on course fields.
const (
	MaxTitleLen       = 200   // runes
	MaxSummaryLen     = 500   // runes
	MaxDescriptionLen = 20000 // runes
	MaxAssistants     = 20
)

// Member names an account in a course: its teacher or an assistant.
type Member struct {
	ID          string
	DisplayName string
}

// Course is something a teacher teaches: a series of lessons.
type Course struct {
	ID          string
	TeacherID   string
	TeacherName string // filled by the store on reads
	Title       string
	Summary     string
	Description string
	CoverType   string   // content type of the cover, "" when none
	Assistants  []Member // filled by the store on single-course reads
	Tags        []string // normalised by NormalizeTags, in the teacher's order
	Review               // publishing state, see review.go
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CourseChange is a full or partial edit of a course: nil fields are left
// alone. Assistants, when set, replaces the whole list (account IDs).
type CourseChange struct {
	Title       *string
	Summary     *string
	Description *string
	Assistants  *[]string
	Tags        *[]string // replaces the whole list
}

// NewCourse creates a course taught by teacher. c.Title is required.
func NewCourse(teacher Account, c CourseChange, now time.Time) (Course, error) {
	if !teacher.Roles.Has(RoleTeacher) {
		return Course{}, ErrForbidden
	}
	if c.Title == nil {
		return Course{}, invalid("title", "is required")
	}
	now = now.UTC().Truncate(time.Millisecond)
	course := Course{
		ID:          uuid.NewString(),
		TeacherID:   teacher.ID,
		TeacherName: teacher.DisplayName,
		Review:      Review{State: StateDraft},
		CreatedAt:   now,
	}
	if err := course.Apply(c, now); err != nil {
		return Course{}, err
	}
	return course, nil
}

// Apply validates the change and applies it, counting a new revision. An
// archived course cannot be edited.
func (c *Course) Apply(ch CourseChange, now time.Time) error {
	if c.State == StateArchived {
		return ErrCourseState
	}
	next := *c
	next.Revision++
	var err error
	if ch.Title != nil {
		if next.Title, err = checkLine("title", *ch.Title, 1, MaxTitleLen); err != nil {
			return err
		}
	}
	if ch.Summary != nil {
		if next.Summary, err = checkLine("summary", *ch.Summary, 0, MaxSummaryLen); err != nil {
			return err
		}
	}
	if ch.Description != nil {
		if next.Description, err = checkBlock("description", *ch.Description, 0, MaxDescriptionLen); err != nil {
			return err
		}
	}
	if ch.Tags != nil {
		if next.Tags, err = NormalizeTags(*ch.Tags); err != nil {
			return err
		}
	}
	if ch.Assistants != nil {
		ids := *ch.Assistants
		if len(ids) > MaxAssistants {
			return invalid("assistants", "too many assistants")
		}
		ms := make([]Member, 0, len(ids))
		for _, id := range ids {
			if uuid.Validate(id) != nil {
				return invalid("assistants", "unknown account")
			}
			if id == c.TeacherID {
				return invalid("assistants", "the teacher cannot also assist")
			}
			if slices.ContainsFunc(ms, func(m Member) bool { return m.ID == id }) {
				continue
			}
			ms = append(ms, Member{ID: id})
		}
		next.Assistants = ms
	}
	next.UpdatedAt = now.UTC().Truncate(time.Millisecond)
	*c = next
	return nil
}

// Relation is how an account stands to a course. It decides what the
// account may do there and the role it takes in the course's lessons.
type Relation string

// The relations, strongest first. None means no relation.
const (
	RelationTeacher   Relation = "teacher"
	RelationAssistant Relation = "assistant"
	RelationStudent   Relation = "student"
	RelationNone      Relation = ""
)

// RelationOf derives accountID's relation to c, given whether the account
// is enrolled. The teacher and assistants outrank enrolment.
func RelationOf(c Course, accountID string, enrolled bool) Relation {
	switch {
	case accountID == "":
		return RelationNone
	case c.TeacherID == accountID:
		return RelationTeacher
	case slices.ContainsFunc(c.Assistants, func(m Member) bool { return m.ID == accountID }):
		return RelationAssistant
	case enrolled:
		return RelationStudent
	}
	return RelationNone
}

// CanEdit reports whether the relation may edit the course and schedule
// its lessons.
func (r Relation) CanEdit() bool { return r == RelationTeacher }

// CanRun reports whether the relation may start and end lessons.
func (r Relation) CanRun() bool { return r == RelationTeacher || r == RelationAssistant }

// CanJoin reports whether the relation may join the course's lessons.
func (r Relation) CanJoin() bool { return r != RelationNone }

// CheckEnrol says whether account may enrol in c (before any payment rule,
// which is billing's): it must be a student, the course published, and the
// account not already teaching it.
func CheckEnrol(account Account, c Course) error {
	if !account.Roles.Has(RoleStudent) {
		return ErrForbidden
	}
	if !c.Listed() {
		return ErrCourseState
	}
	if r := RelationOf(c, account.ID, false); r == RelationTeacher || r == RelationAssistant {
		return invalid("course", "you already teach this course")
	}
	return nil
}

// Enrolment records that a student joined a course.
type Enrolment struct {
	CourseID  string
	AccountID string
	CreatedAt time.Time
}

// MyCourse is a course seen from one account, with its relation.
type MyCourse struct {
	Course
	Relation Relation
}
