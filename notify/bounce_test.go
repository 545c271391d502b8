package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/smtptest"
	"github.com/lectern/lectern/notify"
	"github.com/lectern/lectern/notify/smtpmail"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestOutboxBounces: an SMTP server on loopback that answers 550 to a
// recipient (or after a message's data) makes the outbox stop retrying
// that message and keep later mail to the address unsent, marked; a 4xx
// is retried as before; clearing the mark releases the kept mail.
func TestOutboxBounces(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		srv := smtptest.Start(t, "127.0.0.1:0")
		srv.Refuse("gone@example.org", "550 5.1.1 <gone@example.org>: no such user", false)
		srv.Refuse("full@example.org", "552 5.2.2 mailbox full", true)
		srv.Refuse("busy@example.org", "450 4.2.1 try again later", false)
		ck := &clock{t: time.Now()}
		o := notify.New(st, smtpmail.SMTP{Addr: srv.Addr(), From: "lectern@example.org"}, notify.WithClock(ck.now))
		ctx := context.Background()
		for _, to := range []string{"gone@example.org", "full@example.org", "busy@example.org", "ok@example.org"} {
			if err := o.Enqueue(ctx, to, "Receipt", "Thank you"); err != nil {
				t.Fatal(err)
			}
		}
		if n := o.Flush(ctx); n != 1 {
			t.Fatalf("Flush sent %d, want 1 (ok@)", n)
		}
		held := func(to string) []notify.Mail {
			t.Helper()
			list, err := st.MailTo(ctx, to, 10)
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		for to, code := range map[string]string{"gone@example.org": "550", "full@example.org": "552"} {
			list := held(to)
			if len(list) != 1 || list[0].HeldAt.IsZero() || !list[0].SentAt.IsZero() || !strings.Contains(list[0].LastError, code) {
				t.Fatalf("%s after a permanent refusal: %+v", to, list)
			}
		}
		if list := held("busy@example.org"); len(list) != 1 || !list[0].HeldAt.IsZero() {
			t.Fatalf("a temporary refusal held the message: %+v", list)
		}

		// Never retried; later mail to a bouncing address is kept and
		// marked, not sent; a 4xx is retried after its backoff.
		ck.add(time.Second)
		if err := o.Enqueue(ctx, "gone@example.org", "Lesson moved", "to Friday"); err != nil {
			t.Fatal(err)
		}
		ck.add(2 * time.Hour)
		o.Flush(ctx)
		if got := srv.Tries("gone@example.org"); got != 1 {
			t.Fatalf("%d delivery attempts to a bouncing address, want 1", got)
		}
		if got := srv.Tries("full@example.org"); got != 1 {
			t.Fatalf("%d delivery attempts after a 552 at DATA, want 1", got)
		}
		if got := srv.Tries("busy@example.org"); got != 2 {
			t.Fatalf("%d delivery attempts after a 450, want 2", got)
		}
		list := held("gone@example.org")
		if len(list) != 2 || list[0].Subject != "Lesson moved" || list[0].HeldAt.IsZero() || list[0].LastError == "" || list[0].Attempts != 0 {
			t.Fatalf("later mail to a bouncing address: %+v", list)
		}

		// The owner fixes the mailbox and verifies again: the mark is
		// cleared and the kept mail goes out, once.
		srv.Refuse("gone@example.org", "", false)
		if err := st.ClearEmailBounce(ctx, "gone@example.org", ck.now()); err != nil {
			t.Fatal(err)
		}
		if n := o.Flush(ctx); n != 2 {
			t.Fatalf("after the mark was cleared, sent %d, want 2", n)
		}
		ck.add(2 * time.Hour)
		o.Flush(ctx)
		var got int
		for _, m := range srv.Messages() {
			if m.To == "gone@example.org" {
				got++
			}
		}
		if got != 2 {
			t.Fatalf("received %d messages for the cleared address, want 2", got)
		}
	})
}
