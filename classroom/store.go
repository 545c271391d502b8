package classroom

import (
	"context"
	"time"
)

// The persistence the domain needs, declared here by its consumer and
// implemented by package store (SQLite and PostgreSQL). Every method honours
// ctx's deadline. Unless said otherwise a missing row is ErrNotFound, and a
// method that writes several rows does so in one transaction: it either
// happens entirely or not at all.

// Page bounds a listing. Limit ≤ 0 means the store's default (50); stores
// cap it at 200.
type Page struct {
	Limit  int
	Offset int
}

// Accounts stores accounts, their passwords and avatars.
type Accounts interface {
	// CreateAccount inserts a; ErrEmailTaken if the email is in use.
	CreateAccount(ctx context.Context, a Account) error
	Account(ctx context.Context, id string) (Account, error)
	// AccountByEmail looks up a normalised email.
	AccountByEmail(ctx context.Context, email string) (Account, error)
	// UpdateAccount writes display name, language, roles and UpdatedAt.
	UpdateAccount(ctx context.Context, a Account) error
	// ListAccounts lists accounts by creation time.
	ListAccounts(ctx context.Context, p Page) ([]Account, error)
	// SetPassword replaces the password hash and revokes every session of
	// the account except keepSession ("" revokes all) and every pending
	// password reset.
	SetPassword(ctx context.Context, accountID, hash, keepSession string, now time.Time) error
	// SetAvatar stores img as the account's avatar; a zero img removes it.
	SetAvatar(ctx context.Context, accountID string, img Image) error
	Avatar(ctx context.Context, accountID string) (Image, error)
}

// Sessions stores signed-in sessions.
type Sessions interface {
	CreateSession(ctx context.Context, s Session) error
	// SessionAccount returns a session and its account in one read.
	SessionAccount(ctx context.Context, sessionID string) (Session, Account, error)
	TouchSession(ctx context.Context, sessionID string, at time.Time) error
	// ListSessions lists an account's unexpired sessions, newest first.
	ListSessions(ctx context.Context, accountID string, now time.Time) ([]Session, error)
	// DeleteSession revokes one of accountID's sessions; ErrNotFound if it
	// is not theirs.
	DeleteSession(ctx context.Context, accountID, sessionID string) error
	// DeleteExpiredSessions removes sessions and resets past their expiry.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}

// PasswordResets stores one-time password-reset tokens.
type PasswordResets interface {
	CreatePasswordReset(ctx context.Context, r PasswordReset) error
	PasswordReset(ctx context.Context, id string) (PasswordReset, error)
	// UsePasswordReset spends reset id (ErrTokenUsed if already spent,
	// ErrBadToken if expired), sets the account's password hash and revokes
	// all its sessions, in one transaction.
	UsePasswordReset(ctx context.Context, id, hash string, now time.Time) error
}

// CourseQuery filters ListCourses.
type CourseQuery struct {
	TeacherID string        // "" for all
	States    []CourseState // nil for every state
	// Text, when set, keeps courses whose title, summary, description,
	// teacher's name or tags contain each of its words (case-insensitive
	// substrings, so Chinese words are found in unspaced text); courses
	// whose title contains them all come first.
	Text string
	// Tag, when set, keeps courses with that tag (compared by TagKey).
	Tag string
	Page
}

// Courses stores courses, their assistants, covers and enrolments.
type Courses interface {
	// CreateCourse inserts c with its assistants.
	CreateCourse(ctx context.Context, c Course) error
	// UpdateCourse writes c's fields, replaces its assistants and counts a
	// new revision.
	UpdateCourse(ctx context.Context, c Course) error
	// Course returns a course with TeacherName and Assistants filled.
	Course(ctx context.Context, id string) (Course, error)
	// ListCourses lists courses newest first, without Assistants.
	ListCourses(ctx context.Context, q CourseQuery) ([]Course, error)
	SetCourseCover(ctx context.Context, courseID string, img Image) error
	CourseCover(ctx context.Context, courseID string) (Image, error)
	// Enrol records e; ErrAlreadyEnrolled if it exists.
	Enrol(ctx context.Context, e Enrolment) error
	Enrolled(ctx context.Context, courseID, accountID string) (bool, error)
	// Unenrol removes accountID from courseID's students; ErrNotFound if
	// not enrolled.
	Unenrol(ctx context.Context, courseID, accountID string) error
	// MyCourses lists the courses accountID teaches, assists or is
	// enrolled in, with the relation.
	MyCourses(ctx context.Context, accountID string) ([]MyCourse, error)
}

// Lessons stores lessons.
type Lessons interface {
	CreateLesson(ctx context.Context, l Lesson) error
	Lesson(ctx context.Context, id string) (Lesson, error)
	// UpdateLesson writes l if its stored status is still prev; otherwise
	// ErrConflict. news (nil for none) is written in the same
	// transaction (LessonNews).
	UpdateLesson(ctx context.Context, l Lesson, prev Status, news *LessonNews) error
	// ListLessons lists a course's lessons by start time.
	ListLessons(ctx context.Context, courseID string) ([]Lesson, error)
	// UpcomingLessons lists lessons of accountID's courses that are live
	// or not yet over at now, soonest first, at most limit.
	UpcomingLessons(ctx context.Context, accountID string, now time.Time, limit int) ([]UpcomingLesson, error)
	// OverdueLessons lists live lessons whose scheduled end is before
	// `before`, oldest first, at most limit.
	OverdueLessons(ctx context.Context, before time.Time, limit int) ([]Lesson, error)
}

// Store is everything the accounts-and-courses part of Lectern persists.
type Store interface {
	Accounts
	Sessions
	PasswordResets
	Courses
	Lessons
	Publishing
	LessonMailings
	EmailVerification
	LiveLessonsView
	Rosters
}
