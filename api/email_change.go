package api

import (
	"net/http"

	"github.com/lectern/lectern/classroom"
)

type emailChangeRequest struct {
	Email           string `json:"email"`
	CurrentPassword string `json:"current_password"`
}

// changeEmail moves the caller to a new address (PUT /api/v1/me/email),
// for instance one that does not bounce: the current password is
// required (rate-limited like a password change), the new address starts
// unverified and gets a verification link, and the old one is told of
// the change in the same transaction as the change.
func (s *Server) changeEmail(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req emailChangeRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	if err := s.checkCurrentPassword(w, r, c, req.CurrentPassword); err != nil {
		return err
	}
	to, err := classroom.NormalizeEmail(req.Email)
	if err != nil {
		return err
	}
	if to == c.account.Email {
		return &classroom.FieldError{Field: "email", Reason: "is already your address", Err: classroom.ErrInvalid}
	}
	old := c.account
	if err := s.store.ChangeEmail(r.Context(), old.ID, old.Email, to, s.now(), []classroom.Mail{emailChangedMail(old, to)}); err != nil {
		return err
	}
	acc, err := s.store.Account(r.Context(), old.ID)
	if err != nil {
		return err
	}
	s.log.Info("email changed", "account", acc.ID)
	if err := s.sendVerification(r, acc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAccount(acc))
	return nil
}

// emailChangedMail tells a's old address that the account moved to.
func emailChangedMail(a classroom.Account, to string) Message {
	if chinese(a) {
		return Message{To: a.Email, Subject: "你的 Lectern 邮箱地址已更改",
			Body: "你的 Lectern 账号的邮箱地址已改为 " + to + "。\n\n如果这不是你本人的操作，请立即重置密码并联系管理员。\n"}
	}
	return Message{To: a.Email, Subject: "Your Lectern email address was changed",
		Body: "The email address of your Lectern account was changed to " + to + ".\n\n" +
			"If you did not do this, reset your password at once and contact the administrators.\n"}
}
