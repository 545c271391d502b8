package store

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/notify"
)

// TestBouncesConformance: a bounce marks the address (the account shows
// it), keeps every unsent message to it, including those queued later in
// another transaction (lesson mail), and opening a verification link
// clears it and releases them.
func TestBouncesConformance(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t)
			ctx := context.Background()
			a := mkAccount(t, s, "li@example.org")
			other := mkAccount(t, s, "wang@example.org")
			for i, to := range []string{a.Email, a.Email, other.Email} {
				m := notify.Mail{ID: "m" + string(rune('0'+i)), To: to, Subject: "s", Body: "b", CreatedAt: t0, NextAttemptAt: t0}
				if err := s.EnqueueMail(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.MarkMailBounced(ctx, "m0", a.Email, t0, "550 no such user"); err != nil {
				t.Fatal(err)
			}
			// Twice (two senders): still one mark.
			if err := s.MarkMailBounced(ctx, "m0", a.Email, t0.Add(time.Second), "550 no such user"); err != nil {
				t.Fatal(err)
			}
			got, err := s.Account(ctx, a.ID)
			if err != nil || !got.EmailBounces() || got.EmailBounce != "550 no such user" || !got.EmailBouncedAt.Equal(t0.Add(time.Second)) {
				t.Fatalf("account %+v, %v", got, err)
			}
			if o, _ := s.Account(ctx, other.ID); o.EmailBounces() {
				t.Fatal("another address marked")
			}
			due, err := s.DueMail(ctx, t0.Add(time.Hour), 10)
			if err != nil || len(due) != 1 || due[0].To != other.Email {
				t.Fatalf("due %+v, %v", due, err)
			}
			if ok, err := s.ClaimMail(ctx, "m1", t0.Add(time.Hour), t0.Add(2*time.Hour)); ok || err != nil {
				t.Fatalf("a kept message claimed: %v %v", ok, err)
			}
			// Queued later, in a lesson mailing's transaction: kept too.
			teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
			l := mkLesson(t, s, mkCourse(t, s, teacher, "C"), "L", t0.Add(48*time.Hour), time.Hour)
			if _, err := s.QueueMailing(ctx, classroom.Mailing{LessonID: l.ID, Kind: classroom.MailingMoved, Key: t0, At: t0},
				[]classroom.Mail{{To: a.Email, Subject: "moved", Body: "b"}}, nil); err != nil {
				t.Fatal(err)
			}
			list, _ := s.MailTo(ctx, a.Email, 10)
			for _, m := range list {
				if m.HeldAt.IsZero() || m.LastError == "" {
					t.Fatalf("not kept: %+v", m)
				}
			}
			if len(list) != 3 {
				t.Fatalf("%d messages to the address, want 3", len(list))
			}

			// Opening a verification link clears the mark and releases them.
			if err := s.SetEmailVerified(ctx, a.ID, a.Email, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Account(ctx, a.ID); got.EmailBounces() {
				t.Fatal("still bouncing after verification")
			}
			due, err = s.DueMail(ctx, t0.Add(time.Hour), 10)
			if err != nil || len(due) != 4 {
				t.Fatalf("due after the mark was cleared: %d, %v", len(due), err)
			}
			if err := s.ClearEmailBounce(ctx, "nobody@example.org", t0); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestMailErrorConformance: a send failure's text that is long, not
// ASCII and not valid UTF-8 (an SMTP server's reply may be anything) is
// kept, cut between characters, on both backends, for a retry and for a
// bounce alike.
func TestMailErrorConformance(t *testing.T) {
	reason := "550 \xff" + strings.Repeat("用户不存在", 100)
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t)
			ctx := context.Background()
			for _, id := range []string{"retry", "bounce"} {
				m := notify.Mail{ID: id, To: id + "@example.org", Subject: "s", Body: "b", CreatedAt: t0, NextAttemptAt: t0}
				if err := s.EnqueueMail(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.MarkMailFailed(ctx, "retry", t0.Add(time.Minute), reason); err != nil {
				t.Fatal(err)
			}
			if err := s.MarkMailBounced(ctx, "bounce", "bounce@example.org", t0, reason); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"retry", "bounce"} {
				list, err := s.MailTo(ctx, id+"@example.org", 1)
				if err != nil || len(list) != 1 {
					t.Fatalf("%s: %+v, %v", id, list, err)
				}
				got := list[0].LastError
				if !utf8.ValidString(got) || len(got) > 500 || len(got) < 490 || !strings.HasPrefix(got, "550 用户不存在") {
					t.Fatalf("%s: last_error %q (%d bytes)", id, got, len(got))
				}
			}
		})
	}
}
