package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

type disabledRequest struct {
	Disabled *bool `json:"disabled"`
}

// adminSetDisabled disables (or enables again) an account, as
// POST .../disable and .../enable do (see setDisabled): a disabled account
// cannot sign in, its sessions are revoked, and its open connections to
// every lesson are closed within seconds. An admin cannot disable their
// own account.
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
	return s.setDisabled(w, r, c, *req.Disabled)
}

func (s *Server) loadAccount(r *http.Request, id string) (classroom.Account, error) {
	if uuid.Validate(id) != nil {
		return classroom.Account{}, classroom.ErrNotFound
	}
	return s.store.Account(r.Context(), id)
}
