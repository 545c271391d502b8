package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
)

// gatedStore holds every account lookup by email until gate is closed.
type gatedStore struct {
	classroom.Store
	gate chan struct{}
}

func (g gatedStore) AccountByEmail(ctx context.Context, email string) (classroom.Account, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return classroom.Account{}, ctx.Err()
	}
	return g.Store.AccountByEmail(ctx, email)
}

// TestResetRequestDoesNoAccountWorkOnTheRequestPath: a reset request is
// answered before the account is even looked up, for a known address as
// for an unknown one, so the answer's timing cannot tell them apart; the
// mail still goes out once the lookup can proceed.
func TestResetRequestDoesNoAccountWorkOnTheRequestPath(t *testing.T) {
	var gate chan struct{} // one per backend, made with its harness
	forEachBackend(t, func(t *testing.T, h *harness) {
		h.register("known@example.org", "Known")
		anon := h.client()
		for _, addr := range []string{"known@example.org", "unknown@example.org"} {
			// The store is stuck: an answer proves the lookup is not on the
			// request path (the client gives up after 30 s otherwise).
			r := anon.do("POST", "/api/v1/password-resets", map[string]string{"email": addr})
			want(t, r, http.StatusAccepted)
			if string(r.body) != `{"message":"if an account uses that email, a reset link is on its way"}`+"\n" {
				t.Errorf("answer for %s: %s", addr, r.body)
			}
		}
		close(gate)
		if tok := h.resetToken("known@example.org"); tok == "" {
			t.Fatal("no reset token")
		}
		h.api.Close()
		for _, m := range h.mail.sent() {
			if m.To == "unknown@example.org" {
				t.Error("mail sent for an unknown address")
			}
		}
	}, func(cfg *api.Config) {
		gate = make(chan struct{})
		cfg.Store = gatedStore{Store: cfg.Store, gate: gate}
	})
}
