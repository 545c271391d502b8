package api

import (
	"net/http"
	"time"

	"github.com/lectern/lectern/classroom"
)

type disabledState struct {
	Disabled bool `json:"disabled"`
}

// setDisabled disables or enables an account, revoking its sessions and
// closing its open connections when disabled. An admin cannot disable
// themselves, nor the last enabled admin.
func (s *Server) setDisabled(w http.ResponseWriter, r *http.Request, c *caller, disable bool) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	id := r.PathValue("id")
	if disable && id == c.account.ID {
		return &Error{Status: http.StatusConflict, Code: "own_account", Message: "you cannot disable your own account"}
	}
	acc, err := s.loadAccount(r, id)
	if err != nil {
		return err
	}
	var at time.Time
	action := classroom.AuditAccountEnable
	if disable {
		at, action = s.now().UTC(), classroom.AuditAccountDisable
	}
	e := s.audit(r, c, action, "account", acc.ID, disabledState{acc.Disabled()}, disabledState{disable})
	if err := s.store.SetDisabled(r.Context(), acc.ID, at, e); err != nil {
		return err
	}
	acc.DisabledAt = at
	s.log.Info("account disabled", "account", acc.ID, "disabled", disable, "by", c.account.ID)
	// Open connections are asked again (and closed when now refused).
	s.accessChanged(acc.ID, "")
	writeJSON(w, http.StatusOK, viewAccount(acc))
	return nil
}

func (s *Server) adminDisable(w http.ResponseWriter, r *http.Request, c *caller) error {
	return s.setDisabled(w, r, c, true)
}

func (s *Server) adminEnable(w http.ResponseWriter, r *http.Request, c *caller) error {
	return s.setDisabled(w, r, c, false)
}

type trustedState struct {
	Trusted bool `json:"trusted"`
}

// adminTrust marks an account trusted (its new materials in published
// courses need no review) or not: POST …/trust {"trusted": bool}.
func (s *Server) adminTrust(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	var req struct {
		Trusted *bool `json:"trusted"`
	}
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	if req.Trusted == nil {
		return &classroom.FieldError{Field: "trusted", Reason: "is required (true or false)", Err: classroom.ErrInvalid}
	}
	acc, err := s.loadAccount(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	var at time.Time
	action := classroom.AuditAccountUntrust
	if *req.Trusted {
		at, action = s.now().UTC().Truncate(time.Millisecond), classroom.AuditAccountTrust
	}
	e := s.audit(r, c, action, "account", acc.ID, trustedState{acc.Trusted()}, trustedState{*req.Trusted})
	if err := s.store.SetTrusted(r.Context(), acc.ID, at, e); err != nil {
		return err
	}
	acc.TrustedAt = at
	writeJSON(w, http.StatusOK, viewAccount(acc))
	return nil
}

// adminSignOutEverywhere revokes every session of an account.
func (s *Server) adminSignOutEverywhere(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	acc, err := s.store.Account(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	e := s.audit(r, c, classroom.AuditAccountSignOutAll, "account", acc.ID, nil, nil)
	n, err := s.store.RevokeSessions(r.Context(), acc.ID, e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"revoked": n})
	return nil
}

// adminCourses lists courses in every state, or in ?state=.
func (s *Server) adminCourses(w http.ResponseWriter, r *http.Request, c *caller) error {
	if !classroom.CanReview(c.account) {
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "administrators and reviewers only"}
	}
	q := classroom.CourseQuery{}
	if st := classroom.CourseState(r.URL.Query().Get("state")); st != "" {
		if !st.Valid() {
			return &Error{Status: http.StatusBadRequest, Code: "invalid_input", Field: "state", Message: "unknown state"}
		}
		q.States = []classroom.CourseState{st}
	}
	var err error
	if q.Page, err = pageOf(r); err != nil {
		return err
	}
	list, err := s.store.ListCourses(r.Context(), q)
	return writeCourses(w, list, err)
}
