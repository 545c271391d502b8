package classroom

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters (RFC 9106). They are
// written into every hash, so raising them later only affects new hashes;
// NeedsRehash tells when a stored hash is below the current ones.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	KeyLen  uint32 // bytes of derived key
	SaltLen uint32 // bytes of random salt
}

// The argon2id parameters Lectern uses for new hashes. They follow the
// OWASP Password Storage Cheat Sheet's first argon2id configuration: 19 MiB
// of memory, 2 passes, 1 lane. On the 2-core development machine one hash
// takes a few tens of milliseconds (see BenchmarkSignIn in package api).
const (
	Argon2Memory  = 19 * 1024 // KiB
	Argon2Time    = 2         // passes
	Argon2Threads = 1         // lanes
	Argon2KeyLen  = 32        // bytes
	Argon2SaltLen = 16        // bytes
)

// DefaultArgon2 returns the production parameters named above.
func DefaultArgon2() Argon2Params {
	return Argon2Params{Memory: Argon2Memory, Time: Argon2Time, Threads: Argon2Threads,
		KeyLen: Argon2KeyLen, SaltLen: Argon2SaltLen}
}

// TestArgon2 returns deliberately cheap parameters, for tests only.
func TestArgon2() Argon2Params {
	return Argon2Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}
}

// Password length limits, in runes (min) and bytes (max; bounds hashing
// cost and rejects absurd bodies).
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// CheckPassword enforces the password policy: at least MinPasswordLen
// characters, at most MaxPasswordLen bytes, at least 5 distinct
// characters, and not the email or display name itself.
func CheckPassword(pw string, personal ...string) error {
	weak := func(reason string) error {
		return &FieldError{Field: "password", Reason: reason, Err: ErrWeakPassword}
	}
	if !utf8.ValidString(pw) {
		return weak("must be valid UTF-8")
	}
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return weak(fmt.Sprintf("must be at least %d characters", MinPasswordLen))
	}
	if len(pw) > MaxPasswordLen {
		return weak(fmt.Sprintf("must be at most %d bytes", MaxPasswordLen))
	}
	distinct := map[rune]bool{}
	for _, r := range pw {
		distinct[r] = true
	}
	if len(distinct) < 5 {
		return weak("must use at least 5 different characters")
	}
	low := strings.ToLower(pw)
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		local, _, _ := strings.Cut(p, "@")
		if low == p || (len(local) >= 4 && strings.Contains(low, local)) {
			return weak("must not contain your email or name")
		}
	}
	return nil
}

// HashPassword returns the argon2id hash of pw in the PHC string format:
// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>.
func HashPassword(pw string, p Argon2Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

var errBadHash = errors.New("classroom: malformed password hash")

// VerifyPassword reports whether pw matches hash, comparing in constant
// time. A malformed hash is an error, not a mismatch.
func VerifyPassword(pw, hash string) (bool, error) {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether hash was made with weaker parameters than p.
func NeedsRehash(hash string, p Argon2Params) bool {
	h, _, _, err := parseHash(hash)
	return err != nil || h.Memory < p.Memory || h.Time < p.Time
}

func parseHash(hash string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errBadHash
	}
	if p.Memory == 0 || p.Memory > 1<<22 || p.Time == 0 || p.Time > 100 || p.Threads == 0 {
		return p, nil, nil, errBadHash
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	key, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
