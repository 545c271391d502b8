package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/smtptest"
)

// TestBounceOverSMTP: the whole server, with an SMTP server on loopback
// that answers 550 to one address: the sign-up's verification mail to it
// bounces, the owner's profile says so, and it is not tried again.
func TestBounceOverSMTP(t *testing.T) {
	smtp := smtptest.Start(t, "127.0.0.1:0")
	smtp.Refuse("gone@example.org", "550 5.1.1 <gone@example.org>: no such user", false)
	srv := serveWithSMTP(t, smtp)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/accounts",
		strings.NewReader(`{"email":"gone@example.org","password":"correct horse battery staple","display_name":"Gone"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(srv.URL + "/api/v1/me")
		if err != nil {
			t.Fatal(err)
		}
		var me struct {
			EmailBounces bool   `json:"email_bounces"`
			EmailBounce  string `json:"email_bounce"`
		}
		err = json.NewDecoder(resp.Body).Decode(&me)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if me.EmailBounces {
			if !strings.Contains(me.EmailBounce, "550") {
				t.Fatalf("bounce shown as %q", me.EmailBounce)
			}
			if n := smtp.Tries("gone@example.org"); n != 1 {
				t.Fatalf("%d attempts to the bouncing address, want 1", n)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the profile never showed the bounce")
}
