package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lectern/lectern/classroom"
)

func requireAdmin(c *caller) error {
	if !c.account.Roles.Has(classroom.RoleAdmin) {
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "administrators only"}
	}
	return nil
}

func (s *Server) adminListAccounts(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	var list []classroom.Account
	if q := r.URL.Query().Get("q"); q != "" {
		list, err = s.store.SearchAccounts(r.Context(), q, p)
	} else {
		list, err = s.store.ListAccounts(r.Context(), p)
	}
	if err != nil {
		return err
	}
	out := make([]accountView, len(list))
	for i, a := range list {
		out[i] = viewAccount(a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out})
	return nil
}

type rolesRequest struct {
	Roles []classroom.Role `json:"roles"`
}

// adminSetRoles replaces an account's roles, e.g. to make a teacher. An
// admin cannot drop their own admin role, nor leave no enabled admin. The
// change is audited.
func (s *Server) adminSetRoles(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := requireAdmin(c); err != nil {
		return err
	}
	var req rolesRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	roles, err := classroom.NewRoles(req.Roles...)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if id == c.account.ID && !roles.Has(classroom.RoleAdmin) {
		return &classroom.FieldError{Field: "roles", Reason: "cannot remove your own admin role", Err: classroom.ErrInvalid}
	}
	acc, err := s.store.Account(r.Context(), id)
	if err != nil {
		return err
	}
	prev := acc.Roles
	acc.Roles, acc.UpdatedAt = roles, s.now().UTC()
	e := s.audit(r, c, classroom.AuditAccountRoles, "account", acc.ID, prev, roles)
	if err := s.store.SetRoles(r.Context(), acc.ID, roles, acc.UpdatedAt, e); err != nil {
		return err
	}
	s.log.Info("roles changed", "account", acc.ID, "roles", roles.String(), "by", c.account.ID)
	writeJSON(w, http.StatusOK, viewAccount(acc))
	return nil
}

// EnsureAdmin makes sure an administrator with this email exists, for
// `lectern admin create` and --dev. A new account gets the admin, teacher
// and student roles and the given password (which must pass the password
// policy). An existing account is given those roles; its password is left
// alone. It reports whether the account was created.
func (s *Server) EnsureAdmin(ctx context.Context, email, password, name string) (classroom.Account, bool, error) {
	return EnsureAdmin(ctx, s.store, email, password, name, s.argon, s.now())
}

// EnsureAdmin is Server.EnsureAdmin without a Server, for the CLI.
func EnsureAdmin(ctx context.Context, st classroom.Accounts, email, password, name string,
	p classroom.Argon2Params, now time.Time) (classroom.Account, bool, error) {
	if p == (classroom.Argon2Params{}) {
		p = classroom.DefaultArgon2()
	}
	norm, err := classroom.NormalizeEmail(email)
	if err != nil {
		return classroom.Account{}, false, err
	}
	acc, err := st.AccountByEmail(ctx, norm)
	if err == nil {
		acc.Roles = acc.Roles.With(classroom.RoleAdmin).With(classroom.RoleTeacher)
		acc.UpdatedAt = now.UTC()
		return acc, false, st.UpdateAccount(ctx, acc)
	}
	if !errors.Is(err, classroom.ErrNotFound) {
		return acc, false, err
	}
	if name == "" {
		name = "Administrator"
	}
	acc, err = classroom.NewAccount(norm, name, "", now)
	if err != nil {
		return acc, false, err
	}
	if err := classroom.CheckPassword(password, acc.Email, acc.DisplayName); err != nil {
		return acc, false, err
	}
	if acc.PasswordHash, err = classroom.HashPassword(password, p); err != nil {
		return acc, false, err
	}
	acc.Roles, _ = classroom.NewRoles(classroom.RoleAdmin, classroom.RoleTeacher, classroom.RoleStudent)
	if err := st.CreateAccount(ctx, acc); err != nil {
		return acc, false, err
	}
	return acc, true, nil
}
