package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

type disabledRequest struct {
	Disabled *bool `json:"disabled"`
}

// adminSetDisabled disables (or enables again) an account: a disabled
// account cannot sign in, its sessions are revoked, and its open
// connections to every lesson are closed within seconds. An admin cannot
// disable their own account.
func (s *Server) adminSetDisabled(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	var req disabledRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	if req.Disabled == nil {
		return &classroom.FieldError{Field: "disabled", Reason: "is required", Err: classroom.ErrInvalid}
	}
	id := r.PathValue("id")
	if id == c.account.ID && *req.Disabled {
		return &classroom.FieldError{Field: "disabled", Reason: "cannot disable your own account", Err: classroom.ErrInvalid}
	}
	acc, err := s.loadAccount(r, id)
	if err != nil {
		return err
	}
	acc.Disabled, acc.UpdatedAt = *req.Disabled, s.now().UTC()
	if err := s.store.UpdateAccount(r.Context(), acc); err != nil {
		return err
	}
	if acc.Disabled {
		sessions, err := s.store.ListSessions(r.Context(), acc.ID, s.now())
		if err != nil {
			return err
		}
		for _, se := range sessions {
			if err := s.store.DeleteSession(r.Context(), acc.ID, se.ID); err != nil && !isNotFound(err) {
				return err
			}
		}
	}
	s.log.Info("account disabled", "account", acc.ID, "disabled", acc.Disabled, "by", c.account.ID)
	s.accessChanged(acc.ID, "")
	writeJSON(w, http.StatusOK, viewAccount(acc))
	return nil
}

func (s *Server) loadAccount(r *http.Request, id string) (classroom.Account, error) {
	if uuid.Validate(id) != nil {
		return classroom.Account{}, classroom.ErrNotFound
	}
	return s.store.Account(r.Context(), id)
}
