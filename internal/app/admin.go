package app

import (
	"context"
	"errors"
	"fmt"
)

// AdminConfig names a first administrator created at start (LECTERN_ADMIN_EMAIL
// and LECTERN_ADMIN_PASSWORD in a container). An existing account with that
// email is made admin and teacher; its password is left alone.
type AdminConfig struct {
	Email, Password, Name string
}

// ensureAdmin creates the configured first administrator.
func (a *App) ensureAdmin(ctx context.Context) error {
	ac := a.cfg.Admin
	if ac.Email == "" && ac.Password == "" {
		return nil
	}
	if ac.Email == "" || ac.Password == "" {
		return errors.New("app: a first admin needs both an email and a password")
	}
	acc, created, err := a.api.EnsureAdmin(ctx, ac.Email, ac.Password, ac.Name)
	if err != nil {
		return fmt.Errorf("app: first admin %s: %w", ac.Email, err)
	}
	if created {
		a.log.Info("first admin created", "email", acc.Email)
	} else {
		a.log.Info("first admin exists; roles ensured, password unchanged", "email", acc.Email)
	}
	return nil
}
