package notify_test

import (
	"context"
	"mime"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/internal/smtptest"
	"github.com/lectern/lectern/notify"
	"github.com/lectern/lectern/notify/smtpmail"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func subjectOf(t *testing.T, data string) string {
	t.Helper()
	for _, line := range strings.Split(data, "\n") { // ReadDotBytes gives LF
		if v, ok := strings.CutPrefix(line, "Subject: "); ok {
			s, err := new(mime.WordDecoder).DecodeHeader(v)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	return ""
}

// TestOutboxDelivers: a queued message reaches the SMTP server once, with
// its UTF-8 subject and a Message-ID, and is never sent again.
func TestOutboxDelivers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		srv := smtptest.Start(t, "127.0.0.1:0")
		ck := &clock{t: time.Now()}
		o := notify.New(st, smtpmail.SMTP{Addr: srv.Addr(), From: "lectern@example.org"}, notify.WithClock(ck.now))
		ctx := context.Background()
		if err := o.Enqueue(ctx, "wang@example.org", "课程提醒：明天上课", "明天 9:00\n见！"); err != nil {
			t.Fatal(err)
		}
		if err := o.Enqueue(ctx, "bad@example.org\r\nBcc: x@example.org", "s", "b"); err == nil {
			t.Fatal("header injection queued")
		}
		if n := o.Flush(ctx); n != 1 {
			t.Fatalf("Flush sent %d, want 1", n)
		}
		ck.add(24 * time.Hour)
		if n := o.Flush(ctx); n != 0 {
			t.Fatalf("a sent message was sent again (%d)", n)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 || msgs[0].To != "wang@example.org" {
			t.Fatalf("received %+v", msgs)
		}
		if got := subjectOf(t, msgs[0].Data); got != "课程提醒：明天上课" {
			t.Errorf("subject %q", got)
		}
		if !strings.Contains(msgs[0].Data, "Message-ID: <") || !strings.Contains(msgs[0].Data, "明天 9:00\n见！") {
			t.Errorf("message %q", msgs[0].Data)
		}
	})
}

// freeAddr returns a loopback address nobody listens on (for now).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestOutboxSMTPDown: while SMTP is down the message stays queued and is
// retried after a backoff; once the server is up it is delivered once.
func TestOutboxSMTPDown(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		addr := freeAddr(t)
		ck := &clock{t: time.Now()}
		o := notify.New(st, smtpmail.SMTP{Addr: addr, From: "lectern@example.org"}, notify.WithClock(ck.now))
		ctx := context.Background()
		if err := o.Enqueue(ctx, "li@example.org", "Receipt", "Thank you"); err != nil {
			t.Fatal(err)
		}
		if n := o.Flush(ctx); n != 0 {
			t.Fatalf("sent %d with SMTP down", n)
		}
		due, err := st.DueMail(ctx, ck.now().Add(time.Hour), 10)
		if err != nil || len(due) != 1 || due[0].Attempts != 1 || due[0].LastError == "" {
			t.Fatalf("after a failed attempt: %+v %v", due, err)
		}
		// Not retried before the backoff.
		srv := smtptest.Start(t, addr)
		if n := o.Flush(ctx); n != 0 || len(srv.Messages()) != 0 {
			t.Fatalf("retried before the backoff")
		}
		ck.add(31 * time.Second)
		if n := o.Flush(ctx); n != 1 {
			t.Fatalf("sent %d after SMTP came back", n)
		}
		ck.add(time.Hour)
		o.Flush(ctx)
		if got := len(srv.Messages()); got != 1 {
			t.Fatalf("received %d messages, want 1", got)
		}
	})
}

// TestOutboxSurvivesRestart: a message queued while SMTP is down, by a
// server that then stops, is delivered by the next one.
func TestOutboxSurvivesRestart(t *testing.T) {
	for _, b := range []string{"sqlite", "postgres"} {
		t.Run(b, func(t *testing.T) {
			cfg := store.Config{DataDir: t.TempDir()}
			if b == "postgres" {
				cfg = store.Config{DatabaseURL: pgtest.URL(t)}
			}
			ctx := context.Background()
			open := func() *store.Store {
				st, err := store.Open(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := st.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return st
			}
			addr := freeAddr(t)
			first := open()
			o := notify.New(first, smtpmail.SMTP{Addr: addr, From: "lectern@example.org"}, notify.WithInterval(time.Hour))
			o.Start()
			if err := o.Enqueue(ctx, "zhao@example.org", "Your lesson starts in 15 minutes", "Join from the course page."); err != nil {
				t.Fatal(err)
			}
			o.Close()
			o.Close() // idempotent
			first.Close()

			srv := smtptest.Start(t, addr)
			second := open()
			defer second.Close()
			ck := &clock{t: time.Now().Add(time.Hour)} // past any backoff of the first attempt
			o2 := notify.New(second, smtpmail.SMTP{Addr: addr, From: "lectern@example.org"}, notify.WithClock(ck.now))
			if n := o2.Flush(ctx); n != 1 {
				t.Fatalf("after restart sent %d, want 1", n)
			}
			if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].To != "zhao@example.org" {
				t.Fatalf("received %+v", msgs)
			}
		})
	}
}
