package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/lectern/lectern/classroom"
)

type resetRequest struct {
	Email string `json:"email"`
}

// requestReset answers 202 whether or not the email has an account, so it
// cannot be used to discover accounts. The request path does the same
// work for every address (parse, rate-limit, enqueue); looking the
// account up, storing the reset and sending the mail happen in the reset
// worker, so the answer takes the same time for known and unknown
// addresses.
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
	// A busy address is not revealed either: the same answer, no mail.
	if ok, _ := s.signUpLimit.take("reset:" + email); ok {
		select {
		case s.resets <- resetJob{email: email, base: s.publicURL(r)}:
		default:
			s.log.Warn("password-reset queue full; request dropped")
		}
	}
	writeJSON(w, http.StatusAccepted, map[string]string{
		"message": "if an account uses that email, a reset link is on its way"})
	return nil
}

// resetJob is a reset request waiting for the worker: the address and the
// public URL the link points to (taken from the request that asked).
type resetJob struct {
	email, base string
}

// resetQueueLen bounds the password-reset requests waiting for the worker.
const resetQueueLen = 256

// resetWorker handles queued reset requests until Close, then finishes
// the ones already queued.
func (s *Server) resetWorker() {
	defer s.wg.Done()
	for {
		select {
		case job := <-s.resets:
			s.sendReset(job)
		case <-s.stop:
			for {
				select {
				case job := <-s.resets:
					s.sendReset(job)
				default:
					return
				}
			}
		}
	}
}

// sendReset mails a reset link, in the account's language, if the address
// has an account (through the outbox when there is one).
func (s *Server) sendReset(job resetJob) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	acc, err := s.store.AccountByEmail(ctx, job.email)
	if isNotFound(err) {
		return
	}
	if err != nil {
		s.log.Error("password reset: account lookup", "err", err)
		return
	}
	reset, tok, err := classroom.NewPasswordReset(acc.ID, s.now())
	if err == nil {
		err = s.store.CreatePasswordReset(ctx, reset)
	}
	if err != nil {
		s.log.Error("password reset: store", "account", acc.ID, "err", err)
		return
	}
	link := job.base + "/reset-password?token=" + url.QueryEscape(tok)
	if err := s.sendMail(ctx, resetMail(acc, link)); err != nil {
		s.log.Error("send password reset", "account", acc.ID, "err", err)
	}
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
	// Whoever holds the reset link controls the account's mail: this
	// browser becomes known, and the strangers' lock on the account lifts.
	s.accountLimit.reset("acct:" + acc.Email)
	s.setDevice(w, r, acc.ID)
	writeJSON(w, http.StatusNoContent, nil)
	return nil
}
