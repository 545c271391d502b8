package api

import (
	"net/http"
	"net/url"

	"github.com/lectern/lectern/classroom"
)

type resetRequest struct {
	Email string `json:"email"`
}

// requestReset answers 202 whether or not the email has an account, so it
// cannot be used to discover accounts; the mail is sent in the background.
func (s *Server) requestReset(w http.ResponseWriter, r *http.Request) error {
	if err := s.limit(w, s.signUpLimit, "ip:"+s.clientIP(r)); err != nil {
		return err
	}
	var req resetRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	email, err := classroom.NormalizeEmail(req.Email)
	if err != nil {
		return err
	}
	accepted := func() error {
		writeJSON(w, http.StatusAccepted, map[string]string{
			"message": "if an account uses that email, a reset link is on its way"})
		return nil
	}
	if ok, _ := s.signUpLimit.take("reset:" + email); !ok {
		return accepted() // do not reveal that the address is busy
	}
	acc, err := s.store.AccountByEmail(r.Context(), email)
	if isNotFound(err) {
		return accepted()
	}
	if err != nil {
		return err
	}
	reset, tok, err := classroom.NewPasswordReset(acc.ID, s.now())
	if err != nil {
		return err
	}
	if err := s.store.CreatePasswordReset(r.Context(), reset); err != nil {
		return err
	}
	link := s.publicURL(r) + "/reset-password?token=" + url.QueryEscape(tok)
	msg := resetMail(acc, link)
	if err := s.sendMail(r.Context(), msg); err != nil {
		return err
	}
	return accepted()
}

type confirmResetRequest struct {
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

// confirmReset spends a reset token, sets the new password and signs the
// account out everywhere.
func (s *Server) confirmReset(w http.ResponseWriter, r *http.Request) error {
	if err := s.limit(w, s.ipLimit, "ip:"+s.clientIP(r)); err != nil {
		return err
	}
	var req confirmResetRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	id, secret, err := classroom.SplitToken(req.Token)
	if err != nil {
		return err
	}
	reset, err := s.store.PasswordReset(r.Context(), id)
	if isNotFound(err) {
		return classroom.ErrBadToken
	}
	if err != nil {
		return err
	}
	if err := reset.Check(secret, s.now()); err != nil {
		return err
	}
	acc, err := s.store.Account(r.Context(), reset.AccountID)
	if err != nil {
		return err
	}
	if err := classroom.CheckPassword(req.NewPassword, acc.Email, acc.DisplayName); err != nil {
		return err
	}
	hash, err := s.hashPassword(r.Context(), req.NewPassword)
	if err != nil {
		return err
	}
	if err := s.store.UsePasswordReset(r.Context(), id, hash, s.now()); err != nil {
		return err
	}
	s.log.Info("password reset", "account", acc.ID)
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}
