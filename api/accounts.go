package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lectern/lectern/classroom"
)

type registerRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	Language    string `json:"language"`
}

// register creates a student account and signs it in.
func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	if err := s.limit(w, s.signUpLimit, "ip:"+s.clientIP(r)); err != nil {
		return err
	}
	var req registerRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	// Validate everything before the expensive hash and before writing.
	acc, err := classroom.NewAccount(req.Email, req.DisplayName, "", s.now())
	if err != nil {
		return err
	}
	if acc.Language, err = classroom.CheckLanguage(req.Language); err != nil {
		return err
	}
	if err := classroom.CheckPassword(req.Password, acc.Email, acc.DisplayName); err != nil {
		return err
	}
	if acc.PasswordHash, err = s.hashPassword(r.Context(), req.Password); err != nil {
		return err
	}
	if err := s.store.CreateAccount(r.Context(), acc); err != nil {
		return err
	}
	s.log.Info("account registered", "account", acc.ID)
	if err := s.sendVerification(r, acc); err != nil {
		// The account stands; its owner can ask for another link.
		s.log.Error("queueing the verification mail", "account", acc.ID, "err", err)
	}
	c, err := s.startSession(w, r, acc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewSignedIn(c))
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, c *caller) error {
	writeJSON(w, http.StatusOK, viewAccount(c.account))
	return nil
}

type profileRequest struct {
	DisplayName *string `json:"display_name"`
	Language    *string `json:"language"`
	Bio         *string `json:"bio"`
}

func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req profileRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	acc := c.account
	if err := acc.ApplyProfile(classroom.ProfileChange{DisplayName: req.DisplayName, Language: req.Language, Bio: req.Bio}, s.now()); err != nil {
		return err
	}
	if err := s.store.UpdateAccount(r.Context(), acc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAccount(acc))
	return nil
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword checks the current password, sets the new one and signs
// out every other session.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req passwordRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	if err := s.checkCurrentPassword(w, r, c, req.CurrentPassword); err != nil {
		return err
	}
	if err := classroom.CheckPassword(req.NewPassword, c.account.Email, c.account.DisplayName); err != nil {
		return err
	}
	hash, err := s.hashPassword(r.Context(), req.NewPassword)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(r.Context(), c.account.ID, hash, c.session.ID, s.now()); err != nil {
		return err
	}
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}

// checkCurrentPassword refuses a change to the caller's account unless
// password is their current one; wrong guesses spend the account's
// rate limit (429 when spent).
func (s *Server) checkCurrentPassword(w http.ResponseWriter, r *http.Request, c *caller, password string) error {
	key := "acct:" + c.account.ID
	if err := s.limitCheck(w, s.accountLimit, key); err != nil {
		return err
	}
	ok, err := s.verifyPassword(r.Context(), password, c.account.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		s.accountLimit.take(key)
		return &Error{Status: http.StatusForbidden, Code: "wrong_password", Field: "current_password",
			Message: "current password is wrong"}
	}
	return nil
}

// limit spends a token of l for key or answers 429.
func (s *Server) limit(w http.ResponseWriter, l *limiter, key string) error {
	ok, wait := l.take(key)
	return tooMany(w, ok, wait)
}

// limitCheck answers 429 if l has no token for key, without spending one.
func (s *Server) limitCheck(w http.ResponseWriter, l *limiter, key string) error {
	ok, wait := l.check(key)
	return tooMany(w, ok, wait)
}

func tooMany(w http.ResponseWriter, ok bool, wait time.Duration) error {
	if ok {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited",
		Message: "too many attempts; wait and try again"}
}
