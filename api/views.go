package api

import (
	"strconv"
	"time"

	"github.com/lectern/lectern/classroom"
)

// The JSON shapes of responses. Times are RFC 3339 in UTC.

type accountView struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Roles       []string  `json:"roles"`
	Language    string    `json:"language"`
	AvatarURL   string    `json:"avatar_url,omitempty"`
	Disabled    bool      `json:"disabled,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// EmailVerified: the owner opened the link mailed to Email.
	EmailVerified bool `json:"email_verified"`
	// Trusted: an admin marked the account trusted (no review of its new
	// materials).
	Trusted bool `json:"trusted,omitempty"`
	// EmailBounces: mail to Email was refused for good (EmailBounce says
	// how) and is kept unsent until the owner asks for a new
	// verification link.
	EmailBounces bool   `json:"email_bounces,omitempty"`
	EmailBounce  string `json:"email_bounce,omitempty"`
	Bio          string `json:"bio"`
}

func viewAccount(a classroom.Account) accountView {
	roles := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		roles[i] = string(r)
	}
	return accountView{ID: a.ID, Email: a.Email, DisplayName: a.DisplayName, Roles: roles,
		Language: a.Language, AvatarURL: avatarURL(a.ID, a.AvatarType, a.UpdatedAt), Disabled: a.Disabled(),
		CreatedAt: a.CreatedAt, EmailVerified: a.EmailVerified(), Trusted: a.Trusted(),
		EmailBounces: a.EmailBounces(), EmailBounce: a.EmailBounce, Bio: a.Bio}
}

func avatarURL(id, ctype string, updated time.Time) string {
	if ctype == "" {
		return ""
	}
	return "/api/v1/accounts/" + id + "/avatar?v=" + itoa(updated.UnixMilli())
}

type sessionView struct {
	ID         string    `json:"id"`
	Current    bool      `json:"current"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
}

func viewSession(s classroom.Session, current string) sessionView {
	return sessionView{ID: s.ID, Current: s.ID == current, CreatedAt: s.CreatedAt,
		LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, UserAgent: s.UserAgent, IP: s.IP}
}

// signedIn is the answer to register, sign-in and GET /session.
type signedIn struct {
	Account   accountView `json:"account"`
	Session   sessionView `json:"session"`
	CSRFToken string      `json:"csrf_token"`
}

func viewSignedIn(c *caller) signedIn {
	return signedIn{Account: viewAccount(c.account), Session: viewSession(c.session, c.session.ID),
		CSRFToken: c.csrf()}
}

type memberView struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
}

type courseView struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Summary     string       `json:"summary"`
	Description string       `json:"description"`
	Teacher     memberView   `json:"teacher"`
	Assistants  []memberView `json:"assistants"`
	CoverURL    string       `json:"cover_url,omitempty"`
	Tags        []string     `json:"tags"`
	// State is the publishing state; Revision counts edits (a reviewer's
	// decision names the revision it was taken on); ReviewNote is the
	// reason of the last rejection.
	State       string     `json:"state"`
	Revision    int64      `json:"revision"`
	Submitted   int64      `json:"submitted_revision,omitempty"`
	ReviewNote  string     `json:"review_note,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// Relation is the caller's: teacher, assistant, student, or "" (none
	// or not signed in). Omitted from anonymous listings.
	Relation *string `json:"relation,omitempty"`
	// LiveLesson is the lesson live now and NextLesson the next scheduled
	// one not yet over (catalogue, "my courses" and the course page).
	LiveLesson *lessonView `json:"live_lesson,omitempty"`
	NextLesson *lessonView `json:"next_lesson,omitempty"`
}

func viewCourse(c classroom.Course, rel *classroom.Relation) courseView {
	v := courseView{ID: c.ID, Title: c.Title, Summary: c.Summary, Description: c.Description,
		Teacher:    memberView{ID: c.TeacherID, DisplayName: c.TeacherName},
		Assistants: make([]memberView, len(c.Assistants)), Tags: append([]string{}, c.Tags...),
		State: string(c.State), Revision: c.Revision, Submitted: c.SubmittedRevision, ReviewNote: c.Note,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if !c.SubmittedAt.IsZero() {
		at := c.SubmittedAt
		v.SubmittedAt = &at
	}
	for i, m := range c.Assistants {
		v.Assistants[i] = memberView{ID: m.ID, DisplayName: m.DisplayName}
	}
	if c.CoverType != "" {
		v.CoverURL = "/api/v1/courses/" + c.ID + "/cover?v=" + itoa(c.UpdatedAt.UnixMilli())
	}
	if rel != nil {
		s := string(*rel)
		v.Relation = &s
	}
	return v
}

type lessonView struct {
	ID              string    `json:"id"`
	CourseID        string    `json:"course_id"`
	Title           string    `json:"title"`
	StartsAt        time.Time `json:"starts_at"`
	DurationMinutes int64     `json:"duration_minutes"`
	EndsAt          time.Time `json:"ends_at"`
	Status          string    `json:"status"`
	CourseTitle     string    `json:"course_title,omitempty"`
	Relation        string    `json:"relation,omitempty"`
	// Cancelled marks an ended lesson its teacher cancelled before it
	// took place, with the reason given (if any).
	Cancelled    bool   `json:"cancelled,omitempty"`
	CancelReason string `json:"cancel_reason,omitempty"`
}

func viewLesson(l classroom.Lesson) lessonView {
	return lessonView{ID: l.ID, CourseID: l.CourseID, Title: l.Title, StartsAt: l.StartsAt,
		DurationMinutes: int64(l.Duration / time.Minute), EndsAt: l.EndsAt(), Status: string(l.Status),
		Cancelled: l.Cancelled(), CancelReason: l.CancelReason}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
