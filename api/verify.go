package api

import (
	"net/http"
	"net/url"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

// Address verification: a link mailed at sign-up (and again on request)
// carries a stateless token (mactoken.go), accountID.expiry.MAC, where the
// MAC (keyed by a key derived from the signer's secret) covers the
// account, the address and the expiry. A changed address or a later expiry is refused
// (the MAC no longer matches); opening it twice changes nothing.

// verifyToken is a fresh verification token for a.
func (s *Server) verifyToken(a classroom.Account) string {
	exp := s.now().Add(classroom.EmailVerificationTTL).Unix()
	return macToken(s.verifyKey, a.ID, exp, a.Email)
}

// sendVerification mails a the link to verify its address, in its
// language.
func (s *Server) sendVerification(r *http.Request, a classroom.Account) error {
	link := s.publicURL(r) + "/verify-email?token=" + url.QueryEscape(s.verifyToken(a))
	return s.sendMail(r.Context(), verifyMail(a, link))
}

type verifyRequest struct {
	Token string `json:"token"`
}

// confirmVerification checks a token and marks the address verified. It
// needs no session: the link may be opened in another browser.
func (s *Server) confirmVerification(w http.ResponseWriter, r *http.Request) error {
	if err := s.limit(w, s.signUpLimit, "ip:"+s.clientIP(r)); err != nil {
		return err
	}
	var req verifyRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	id, exp, mac, ok := splitMACToken(req.Token)
	if !ok || uuid.Validate(id) != nil || s.now().Unix() > exp {
		return classroom.ErrBadToken
	}
	a, err := s.store.Account(r.Context(), id)
	if err != nil {
		return classroom.ErrBadToken
	}
	if !macValid(s.verifyKey, mac, a.ID, exp, a.Email) {
		return classroom.ErrBadToken
	}
	if err := s.store.SetEmailVerified(r.Context(), a.ID, a.Email, s.now()); err != nil {
		return err
	}
	s.log.Info("email verified", "account", a.ID)
	writeJSON(w, http.StatusOK, map[string]any{"verified": true, "email": a.Email})
	return nil
}

// resendVerification mails the caller a new link (202), unless the
// address is verified already and does not bounce (204). Asking clears
// the address's bounce mark, so that the link (and the mail kept unsent
// meanwhile) is tried again; if it bounces again, the mark comes back.
func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request, c *caller) error {
	if c.account.EmailVerified() && !c.account.EmailBounces() {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err := s.limit(w, s.signUpLimit, "verify:"+c.account.ID); err != nil {
		return err
	}
	if c.account.EmailBounces() {
		if err := s.store.ClearEmailBounce(r.Context(), c.account.Email, s.now()); err != nil {
			return err
		}
		s.log.Info("bounce mark cleared by its owner", "account", c.account.ID)
	}
	if err := s.sendVerification(r, c.account); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"message": "a verification link is on its way"})
	return nil
}

// verifyMail is the message with the verification link.
func verifyMail(a classroom.Account, link string) Message {
	if chinese(a) {
		return Message{To: a.Email, Subject: "请验证你的 Lectern 邮箱地址",
			Body: "欢迎使用 Lectern！\n\n请在七天内打开以下链接，确认这个邮箱地址属于你：\n\n" + link + "\n\n" +
				"课程提醒、购买凭证和退款通知都会发送到这个地址。如果你没有注册 Lectern，请忽略本邮件。\n"}
	}
	return Message{To: a.Email, Subject: "Verify your Lectern email address",
		Body: "Welcome to Lectern!\n\nTo confirm that this address is yours, open this link within seven days:\n\n" + link + "\n\n" +
			"Lesson reminders, receipts and refund news are sent here. If you did not sign up for Lectern, ignore this message.\n"}
}
