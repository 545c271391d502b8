package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lectern/lectern/token"
)

// loadSecret returns the server secret kept in dir/secret, creating it
// (32 random bytes, hex, mode 0600) when missing.
func loadSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, "secret")
	b, err := os.ReadFile(path)
	if err == nil {
		s, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(s) < token.MinSecretLen {
			return nil, fmt.Errorf("app: %s is not a hex secret of at least %d bytes", path, token.MinSecretLen)
		}
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	s := make([]byte, 32)
	if _, err := rand.Read(s); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(hex.EncodeToString(s) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	return s, f.Close()
}

// ParseSecret accepts a configured secret: hex, or any string of at least
// token.MinSecretLen bytes taken as is.
func ParseSecret(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) >= token.MinSecretLen {
		return b, nil
	}
	if len(s) < token.MinSecretLen {
		return nil, fmt.Errorf("app: the secret must be at least %d bytes", token.MinSecretLen)
	}
	return []byte(s), nil
}

// SecretFor returns the configured secret, or the one kept in dataDir.
func SecretFor(dataDir, configured string) ([]byte, error) {
	if configured != "" {
		return ParseSecret(configured)
	}
	return loadSecret(dataDir)
}
