package api

import (
	"net/http"

	"github.com/lectern/lectern/classroom"
)

type signInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// signIn checks the password and starts a session. Attempts are limited
// per client address (every attempt) and per account (failures).
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	if err := s.limit(w, s.ipLimit, "ip:"+s.clientIP(r)); err != nil {
		return err
	}
	var req signInRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	email, err := classroom.NormalizeEmail(req.Email)
	if err != nil {
		return classroom.ErrBadCredentials
	}
	acc, err := s.store.AccountByEmail(r.Context(), email)
	switch {
	case err == nil:
	case isNotFound(err):
		acc = classroom.Account{}
	default:
		return err
	}
	// Failures count per account, before the password is looked at (no
	// oracle), but a browser that signed in to this account before has a
	// bucket of its own: strangers' guesses slow strangers, never the
	// owner. A password reset marks the browser that completes it as known.
	key := "acct:" + email
	if s.knownDevice(r, acc.ID) {
		key = "device:" + acc.ID
	}
	if err := s.limitCheck(w, s.accountLimit, key); err != nil {
		return err
	}
	ok, err := s.verifyPassword(r.Context(), req.Password, acc.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		s.accountLimit.take(key)
		return classroom.ErrBadCredentials
	}
	s.accountLimit.reset(key)
	if acc.Disabled() {
		return classroom.ErrAccountDisabled
	}
	c, err := s.startSession(w, r, acc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewSignedIn(c))
	return nil
}

func (s *Server) currentSession(w http.ResponseWriter, r *http.Request, c *caller) error {
	writeJSON(w, http.StatusOK, viewSignedIn(c))
	return nil
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := s.store.DeleteSession(r.Context(), c.account.ID, c.session.ID); err != nil && !isNotFound(err) {
		return err
	}
	s.clearCookie(w, r)
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request, c *caller) error {
	list, err := s.store.ListSessions(r.Context(), c.account.ID, s.now())
	if err != nil {
		return err
	}
	out := make([]sessionView, len(list))
	for i, se := range list {
		out[i] = viewSession(se, c.session.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": out})
	return nil
}

// revokeSession signs out one of the caller's sessions (possibly this one).
func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := s.store.DeleteSession(r.Context(), c.account.ID, id); err != nil {
		return err
	}
	if id == c.session.ID {
		s.clearCookie(w, r)
	}
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}
