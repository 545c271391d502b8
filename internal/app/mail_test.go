package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/smtptest"
)

// TestResetMailOverSMTP: the whole server, configured with an SMTP server
// and no --public-url, mails a password-reset link through the outbox,
// pointing at the host the request came to.
func TestResetMailOverSMTP(t *testing.T) {
	smtp := smtptest.Start(t, "127.0.0.1:0")
	srv := serveWithSMTP(t, smtp)
	post := func(path, body string) int {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Host = "school.example:8443"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post("/api/v1/accounts", `{"email":"mail@example.org","password":"correct horse battery staple","display_name":"Mail"}`); st != http.StatusCreated {
		t.Fatalf("register: %d", st)
	}
	if st := post("/api/v1/password-resets", `{"email":"mail@example.org"}`); st != http.StatusAccepted {
		t.Fatalf("reset: %d", st)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		verify := false // the sign-up's address verification, sent first
		for _, m := range smtp.Messages() {
			if strings.Contains(m.Data, "/verify-email?token=") {
				verify = m.To == "mail@example.org" && strings.Contains(m.Data, "http://school.example:8443/verify-email?token=")
				continue
			}
			if m.To != "mail@example.org" || !strings.Contains(m.Data, "http://school.example:8443/reset-password?token=") {
				t.Fatalf("mail %+v", m)
			}
			if !verify {
				t.Fatalf("no address-verification mail before the reset: %+v", smtp.Messages())
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no reset mail reached the SMTP server")
}

// serveWithSMTP runs the whole server (SQLite) with smtp as its mail
// server, until the test ends.
func serveWithSMTP(t *testing.T, smtp *smtptest.Server) *httptest.Server {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Secret: secret, Loopback: true,
		ICEUDPAddr: "127.0.0.1:0", Mail: app.MailConfig{SMTPAddr: smtp.Addr(), SMTPFrom: "school@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return srv
}
