package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

// Address verification: a link mailed at sign-up (and again on request)
// carries a stateless token, accountID.expiry.MAC, where the MAC (keyed
// by a key derived from the signer's secret) covers the account, the
// address and the expiry. A changed address or a later expiry is refused
// (the MAC no longer matches); opening it twice changes nothing.

// verifyMAC is the token's MAC for accountID's address email until exp
// (Unix seconds).
func (s *Server) verifyMAC(accountID, email string, exp int64) string {
	m := hmac.New(sha256.New, s.verifyKey)
	m.Write([]byte(accountID + "|" + email + "|" + strconv.FormatInt(exp, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verifyToken is a fresh verification token for a.
func (s *Server) verifyToken(a classroom.Account) string {
	exp := s.now().Add(classroom.EmailVerificationTTL).Unix()
	return a.ID + "." + strconv.FormatInt(exp, 10) + "." + s.verifyMAC(a.ID, a.Email, exp)
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
	parts := strings.Split(req.Token, ".")
	if len(parts) != 3 || uuid.Validate(parts[0]) != nil {
		return classroom.ErrBadToken
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || s.now().Unix() > exp {
		return classroom.ErrBadToken
	}
	a, err := s.store.Account(r.Context(), parts[0])
	if err != nil {
		return classroom.ErrBadToken
	}
	if !hmac.Equal([]byte(parts[2]), []byte(s.verifyMAC(a.ID, a.Email, exp))) {
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
// address is verified already (204).
func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request, c *caller) error {
	if c.account.EmailVerified() {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if err := s.limit(w, s.signUpLimit, "verify:"+c.account.ID); err != nil {
		return err
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
