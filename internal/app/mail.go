package app

import (
	"github.com/lectern/lectern/notify"
	"github.com/lectern/lectern/notify/billingmail"
	"github.com/lectern/lectern/notify/smtpmail"
	"github.com/lectern/lectern/store"
)

// MailConfig configures outgoing mail. Without an SMTP address messages
// go to the log (still through the outbox).
type MailConfig struct {
	SMTPAddr     string // host:port
	SMTPFrom     string
	SMTPUsername string
	SMTPPassword string // never logged
}

// startOutbox builds and starts the mail outbox over st.
func (a *App) startOutbox(st *store.Store) *notify.Outbox {
	var sender notify.Sender = notify.LogSender{Logger: a.log.With("subsystem", "mail")}
	m := a.cfg.Mail
	if m.SMTPAddr != "" {
		sender = smtpmail.SMTP{Addr: m.SMTPAddr, From: m.SMTPFrom, Username: m.SMTPUsername, Password: m.SMTPPassword}
		a.log.Info("mail through SMTP", "addr", m.SMTPAddr, "from", m.SMTPFrom, "auth", m.SMTPUsername != "")
	} else {
		a.log.Warn("no --smtp-addr: mail (password resets) is written to the log, not sent")
	}
	o := notify.New(st, sender, notify.WithLogger(a.log.With("subsystem", "mail")))
	o.Start()
	a.closers = append(a.closers, o.Close)
	// Receipts and refund outcomes, queued into the same outbox.
	bm := billingmail.New(st, billingmail.WithBaseURL(a.cfg.BaseURL), billingmail.WithLogger(a.log.With("subsystem", "mail")))
	bm.Start()
	a.closers = append(a.closers, bm.Close)
	return o
}
