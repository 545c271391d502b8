package api

import (
	"net/http"
	"time"

	"github.com/lectern/lectern/classroom"
)

type applicationView struct {
	AccountID   string     `json:"account_id"`
	DisplayName string     `json:"display_name"`
	Email       string     `json:"email"`
	Message     string     `json:"message"`
	Status      string     `json:"status"`
	Reason      string     `json:"reason,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
}

func viewApplication(a classroom.TeacherApplication) applicationView {
	v := applicationView{AccountID: a.AccountID, DisplayName: a.DisplayName, Email: a.Email, Message: a.Message,
		Status: string(a.Status), Reason: a.Reason, CreatedAt: a.CreatedAt}
	if !a.DecidedAt.IsZero() {
		at := a.DecidedAt
		v.DecidedAt = &at
	}
	return v
}

// myTeacherApplication is the caller's application to teach; 404 when
// there is none.
func (s *Server) myTeacherApplication(w http.ResponseWriter, r *http.Request, c *caller) error {
	a, err := s.store.TeacherApplication(r.Context(), c.account.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewApplication(a))
	return nil
}

type applyRequest struct {
	Message string `json:"message"`
}

// applyToTeach records the caller's request to teach.
func (s *Server) applyToTeach(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req applyRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	a, err := classroom.NewTeacherApplication(c.account, req.Message, s.now())
	if err != nil {
		return err
	}
	if err := s.store.CreateTeacherApplication(r.Context(), a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewApplication(a))
	return nil
}

func (s *Server) adminListApplications(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	status := classroom.ApplicationStatus(r.URL.Query().Get("status"))
	switch status {
	case "", classroom.ApplicationPending, classroom.ApplicationApproved, classroom.ApplicationRejected:
	default:
		return &Error{Status: http.StatusBadRequest, Code: "invalid_input", Field: "status",
			Message: "status must be pending, approved or rejected"}
	}
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	list, err := s.store.ListTeacherApplications(r.Context(), status, p)
	if err != nil {
		return err
	}
	out := make([]applicationView, len(list))
	for i, a := range list {
		out[i] = viewApplication(a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"applications": out})
	return nil
}

type applicationDecision struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason"`
}

func (s *Server) adminDecideApplication(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	var req applicationDecision
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	a, err := s.store.TeacherApplication(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	prev := a
	if err := a.Decide(c.account, req.Approve, req.Reason, s.now()); err != nil {
		return err
	}
	action, kind := classroom.AuditTeacherReject, classroom.NoticeTeacherRejected
	if req.Approve {
		action, kind = classroom.AuditTeacherApprove, classroom.NoticeTeacherApproved
	}
	notice := classroom.NewNotice(a.AccountID, kind, map[string]string{"reason": a.Reason}, s.now())
	type state struct {
		Status string `json:"status"`
		Reason string `json:"reason,omitempty"`
	}
	e := s.audit(r, c, action, "teacher_application", a.AccountID,
		state{string(prev.Status), prev.Reason}, state{string(a.Status), a.Reason})
	if err := s.store.DecideTeacherApplication(r.Context(), a, e, notice); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewApplication(a))
	return nil
}
