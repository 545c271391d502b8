package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// Review of new materials: a material added to a published course by an
// account that is neither trusted nor an admin waits for a reviewer
// (classroom.MaterialNeedsReview) and is hidden from students until it is
// approved; a rejected one stays hidden and its teacher sees the reason.
//
//	GET  /api/v1/review/materials        the queue (reviewers)
//	POST /api/v1/materials/{id}/review   {"decision": "approve"|"reject", "reason": …}

// needsReview decides, when an upload finishes, whether its material
// waits for a reviewer: the course's state and the uploader's trust as
// they are now.
func (m *Materials) needsReview(ctx context.Context, courseID, accountID string) (bool, error) {
	course, err := m.s.loadCourse(ctx, courseID)
	if err != nil {
		return false, err
	}
	acc, err := m.s.store.Account(ctx, accountID)
	if err != nil {
		return false, err
	}
	return classroom.MaterialNeedsReview(course, acc), nil
}

// seesUnreviewed reports whether acc sees course's materials that are not
// approved: its teacher, assistants and admins (mayEdit) and reviewers.
func seesUnreviewed(acc classroom.Account, course classroom.Course) bool {
	return mayEdit(acc, course) || classroom.CanReview(acc)
}

// errNotReviewed hides an unapproved material from students as if it did
// not exist.
var errNotReviewed = errNotFound

type materialReviewState struct {
	Review content.Review `json:"review"`
	Note   string         `json:"note,omitempty"`
}

// reviewMaterial records a reviewer's decision on a pending material,
// audited, with a notice to the course's teacher.
func (m *Materials) reviewMaterial(w http.ResponseWriter, r *http.Request, c *caller) error {
	req, err := m.s.decodeDecision(w, r, c)
	if err != nil {
		return err
	}
	mat, course, err := m.material(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if rel := classroom.RelationOf(course, c.account.ID, false); rel == classroom.RelationTeacher || rel == classroom.RelationAssistant {
		return classroom.ErrOwnCourse
	}
	prev := mat
	approve := req.Decision == "approve"
	if err := mat.Decide(approve, req.Reason, c.account.ID, m.s.now()); err != nil {
		return materialReviewError(err)
	}
	action, kind := classroom.AuditMaterialReject, classroom.NoticeMaterialRejected
	if approve {
		action, kind = classroom.AuditMaterialApprove, classroom.NoticeMaterialApproved
	}
	e := m.s.audit(r, c, action, "material", mat.ID,
		materialReviewState{prev.Review, prev.ReviewNote}, materialReviewState{mat.Review, mat.ReviewNote})
	notice := classroom.NewNotice(course.TeacherID, kind, map[string]string{"course_id": course.ID,
		"title": course.Title, "name": mat.Name, "reason": mat.ReviewNote}, m.s.now())
	if err := m.svc.Store().SetMaterialReview(r.Context(), mat, prev.Review, e, notice); err != nil {
		return err
	}
	m.log.Info("material reviewed", "material", mat.ID, "course", course.ID, "review", mat.Review, "by", c.account.ID)
	writeJSON(w, http.StatusOK, mat)
	return nil
}

// materialReviewError turns content's review errors into API errors (a
// bad reason is a classroom.FieldError already).
func materialReviewError(err error) error {
	if errors.Is(err, content.ErrNotPending) {
		return &Error{Status: http.StatusConflict, Code: "not_pending", Message: "this material is not waiting for review"}
	}
	return err
}

// pendingMaterialView is a queued material with its course's title.
type pendingMaterialView struct {
	content.Material
	CourseTitle string `json:"course_title"`
	TeacherName string `json:"teacher_name"`
}

// reviewQueue lists the materials waiting for review, oldest first.
func (m *Materials) reviewQueue(w http.ResponseWriter, r *http.Request, c *caller) error {
	if !classroom.CanReview(c.account) {
		return errReviewersOnly
	}
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, err := m.svc.Store().PendingMaterials(r.Context(), p)
	if err != nil {
		return err
	}
	courses := map[string]classroom.Course{}
	out := make([]pendingMaterialView, 0, len(list))
	for _, mat := range list {
		course, ok := courses[mat.CourseID]
		if !ok {
			if course, err = m.s.store.Course(r.Context(), mat.CourseID); err != nil {
				return err
			}
			courses[mat.CourseID] = course
		}
		out = append(out, pendingMaterialView{Material: mat, CourseTitle: course.Title, TeacherName: course.TeacherName})
	}
	writeJSON(w, http.StatusOK, map[string]any{"materials": out})
	return nil
}
