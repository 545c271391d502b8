package api

import (
	"context"

	"github.com/lectern/lectern/classroom"
)

// hashPassword hashes pw, waiting for a hashing slot so that a burst of
// sign-ups cannot exhaust memory (each argon2id run takes Argon2.Memory).
func (s *Server) hashPassword(ctx context.Context, pw string) (string, error) {
	if err := s.acquireHash(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashSlots }()
	return classroom.HashPassword(pw, s.argon)
}

// verifyPassword checks pw against hash under the same bound. An empty
// hash (unknown account) is checked against a dummy hash, so the answer
// takes as long either way.
func (s *Server) verifyPassword(ctx context.Context, pw, hash string) (bool, error) {
	if err := s.acquireHash(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hashSlots }()
	if hash == "" {
		classroom.VerifyPassword(pw, s.dummyHash)
		return false, nil
	}
	return classroom.VerifyPassword(pw, hash)
}

func (s *Server) acquireHash(ctx context.Context) error {
	select {
	case s.hashSlots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
