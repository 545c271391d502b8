package api

import (
	"net/http"

	"github.com/lectern/lectern/classroom"
)

// Publishing with review: a teacher submits a course, a reviewer (admin
// or reviewer role, never the course's own teacher or assistant) approves
// or rejects it with a reason; approved courses are in the catalogue.

// reviewState is what the audit log keeps of a course's review.
type reviewState struct {
	State    classroom.CourseState `json:"state"`
	Revision int64                 `json:"revision"`
	Note     string                `json:"note,omitempty"`
}

func reviewOf(c classroom.Course) reviewState {
	return reviewState{State: c.State, Revision: c.Revision, Note: c.Note}
}

// writeReview stores the course's new review state (compare-and-set on the
// old state and the revision) with its audit entry, and answers with the
// course.
func (s *Server) writeReview(w http.ResponseWriter, r *http.Request, c *caller, course classroom.Course,
	prev classroom.Course, action classroom.AuditAction, notices ...classroom.Notice) error {
	var e classroom.AuditEntry
	if action != "" {
		e = s.audit(r, c, action, "course", course.ID, reviewOf(prev), reviewOf(course))
	}
	if err := s.store.SetCourseReview(r.Context(), course, prev.State, e, notices...); err != nil {
		return err
	}
	rel, err := s.relation(r.Context(), course, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCourse(course, &rel))
	return nil
}

// submitCourse sends the caller's course to review (not audited: it
// decides nothing).
func (s *Server) submitCourse(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, err := s.courseFor(r, c, classroom.Relation.CanEdit)
	if err != nil {
		return err
	}
	prev := course
	if err := course.Submit(c.account, classroom.RelationTeacher, s.now()); err != nil {
		return err
	}
	return s.writeReview(w, r, c, course, prev, "")
}

type decisionRequest struct {
	Decision string `json:"decision"` // approve or reject
	Reason   string `json:"reason"`
	Revision int64  `json:"revision"`
}

// decodeDecision reads a reviewer's decision on a course or a material:
// reviewers only, and the decision is approve or reject.
func (s *Server) decodeDecision(w http.ResponseWriter, r *http.Request, c *caller) (decisionRequest, error) {
	var req decisionRequest
	if !classroom.CanReview(c.account) {
		return req, errReviewersOnly
	}
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return req, err
	}
	if req.Decision != "approve" && req.Decision != "reject" {
		return req, &classroom.FieldError{Field: "decision", Reason: "must be approve or reject", Err: classroom.ErrInvalid}
	}
	return req, nil
}

// reviewCourse records a reviewer's decision on the revision they saw.
func (s *Server) reviewCourse(w http.ResponseWriter, r *http.Request, c *caller) error {
	req, err := s.decodeDecision(w, r, c)
	if err != nil {
		return err
	}
	if req.Revision <= 0 {
		return &classroom.FieldError{Field: "revision", Reason: "is required (the revision you reviewed)", Err: classroom.ErrInvalid}
	}
	course, err := s.loadCourse(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	prev := course
	d := classroom.Decision{Approve: req.Decision == "approve", Reason: req.Reason, Revision: req.Revision}
	if err := course.Decide(c.account, d, s.now()); err != nil {
		return err
	}
	action, kind := classroom.AuditCourseReject, classroom.NoticeCourseRejected
	if d.Approve {
		action, kind = classroom.AuditCourseApprove, classroom.NoticeCourseApproved
	}
	notice := classroom.NewNotice(course.TeacherID, kind,
		map[string]string{"course_id": course.ID, "title": course.Title, "reason": course.Note}, s.now())
	return s.writeReview(w, r, c, course, prev, action, notice)
}

// unpublishCourse and archiveCourse load any course the caller can see:
// whether the caller may unpublish or archive it is Course's decision.
func (s *Server) unpublishCourse(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, rel, err := s.visibleCourse(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	prev := course
	if err := course.Unpublish(c.account, rel, s.now()); err != nil {
		return err
	}
	return s.writeReview(w, r, c, course, prev, classroom.AuditCourseUnpublish)
}

func (s *Server) archiveCourse(w http.ResponseWriter, r *http.Request, c *caller) error {
	course, rel, err := s.visibleCourse(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	prev := course
	if err := course.Archive(c.account, rel, s.now()); err != nil {
		return err
	}
	return s.writeReview(w, r, c, course, prev, classroom.AuditCourseArchive)
}

// reviewQueue lists courses waiting for review, newest first.
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request, c *caller) error {
	if !classroom.CanReview(c.account) {
		return errReviewersOnly
	}
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, err := s.store.ListCourses(r.Context(), classroom.CourseQuery{
		States: []classroom.CourseState{classroom.StateInReview}, Page: p})
	return writeCourses(w, list, err)
}

// writeCourses answers with a course listing (or err).
func writeCourses(w http.ResponseWriter, list []classroom.Course, err error) error {
	if err != nil {
		return err
	}
	out := make([]courseView, len(list))
	for i, course := range list {
		out[i] = viewCourse(course, nil)
	}
	writeJSON(w, http.StatusOK, map[string]any{"courses": out})
	return nil
}

// registerPublishing adds the review, teacher-application and admin
// console routes.
func (s *Server) registerPublishing(mux *http.ServeMux) {
	routes := []route{
		{"POST /api/v1/courses/{id}/submit", s.authed(s.submitCourse)},
		{"POST /api/v1/courses/{id}/review", s.authed(s.reviewCourse)},
		{"POST /api/v1/courses/{id}/unpublish", s.authed(s.unpublishCourse)},
		{"POST /api/v1/courses/{id}/archive", s.authed(s.archiveCourse)},
		{"GET /api/v1/review/courses", s.authed(s.reviewQueue)},
		{"GET /api/v1/me/teacher-application", s.authed(s.myTeacherApplication)},
		{"POST /api/v1/me/teacher-application", s.authed(s.applyToTeach)},
		{"GET /api/v1/admin/teacher-applications", s.authed(s.adminListApplications)},
		{"POST /api/v1/admin/teacher-applications/{id}/decision", s.authed(s.adminDecideApplication)},
		{"POST /api/v1/admin/accounts/{id}/disable", s.authed(s.adminDisable)},
		{"POST /api/v1/admin/accounts/{id}/enable", s.authed(s.adminEnable)},
		{"POST /api/v1/admin/accounts/{id}/trust", s.authed(s.adminTrust)},
		{"DELETE /api/v1/admin/accounts/{id}/sessions", s.authed(s.adminSignOutEverywhere)},
		{"GET /api/v1/admin/courses", s.authed(s.adminCourses)},
		{"GET /api/v1/admin/audit", s.authed(s.adminAudit)},
		{"GET /api/v1/admin/audit.csv", s.authed(s.adminAuditCSV)},
		{"GET /api/v1/me/notices", s.authed(s.myNotices)},
		{"POST /api/v1/me/notices/read", s.authed(s.readNotices)},
	}
	s.mount(mux, routes)
}

// route is one pattern and its handler.
type route struct {
	pattern string
	h       http.Handler
}

// mount registers routes behind cross-origin protection.
func (s *Server) mount(mux *http.ServeMux, routes []route) {
	for _, rt := range routes {
		mux.Handle(rt.pattern, s.cop.Handler(rt.h))
	}
}
