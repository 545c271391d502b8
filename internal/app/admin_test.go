package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/app"
)

// TestFirstAdminFromConfig: the configured first admin exists after start;
// a second start with another password leaves the password alone; half a
// configuration is refused.
func TestFirstAdminFromConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := app.Config{DataDir: dir, Secret: secret, Loopback: true, ICEUDPAddr: "127.0.0.1:0",
		Admin: app.AdminConfig{Email: "Head@School.example", Password: "correct horse battery staple"}}
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := a.Store().AccountByEmail(context.Background(), "head@school.example")
	if err != nil {
		t.Fatal(err)
	}
	if !acc.Roles.Has(classroom.RoleAdmin) {
		t.Fatalf("first admin has roles %v", acc.Roles)
	}
	hash := acc.PasswordHash
	_ = a.Close()

	cfg.Admin.Password = "another quite long passphrase"
	a, err = app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	acc, _ = a.Store().AccountByEmail(context.Background(), "head@school.example")
	_ = a.Close()
	if acc.PasswordHash != hash {
		t.Error("a restart with another LECTERN_ADMIN_PASSWORD changed the admin's password")
	}

	cfg.Admin = app.AdminConfig{Email: "x@school.example"}
	if _, err := app.New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("an admin email without a password: %v", err)
	}
}
