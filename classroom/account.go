package classroom

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Role is what an account may do across the deployment. One account may
// hold several: a teacher may also study.
type Role string

// The account roles.
const (
	RoleAdmin   Role = "admin"
	RoleTeacher Role = "teacher"
	RoleStudent Role = "student"
	// RoleReviewer reviews courses before they are published (admins do
	// too) without running the deployment.
	RoleReviewer Role = "reviewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleTeacher || r == RoleStudent || r == RoleReviewer
}

// Roles is a sorted set of roles without duplicates.
type Roles []Role

// NewRoles validates rs and returns them as a set.
func NewRoles(rs ...Role) (Roles, error) {
	out := make(Roles, 0, len(rs))
	for _, r := range rs {
		if !r.Valid() {
			return nil, invalid("roles", "unknown role "+strconvQuote(string(r)))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out, nil
}

// ParseRoles reads the comma-separated form written by Roles.String.
func ParseRoles(s string) (Roles, error) {
	if s == "" {
		return Roles{}, nil
	}
	parts := strings.Split(s, ",")
	rs := make([]Role, len(parts))
	for i, p := range parts {
		rs[i] = Role(p)
	}
	return NewRoles(rs...)
}

// String returns the roles comma-separated, e.g. "student,teacher".
func (rs Roles) String() string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

// Has reports whether r is in the set.
func (rs Roles) Has(r Role) bool { return slices.Contains(rs, r) }

// With returns the set plus r.
func (rs Roles) With(r Role) Roles {
	out, _ := NewRoles(append(slices.Clone(rs), r)...)
	return out
}

// Limits on account fields.
const (
	MaxEmailLen       = 254 // bytes, RFC 5321
	MaxDisplayNameLen = 100 // runes
	MaxLanguageLen    = 35  // bytes, a BCP 47 tag
)

// Account is a person who can sign in.
type Account struct {
	ID           string
	Email        string // normalised: trimmed, lower-case
	DisplayName  string
	PasswordHash string // PHC string, see HashPassword
	Roles        Roles
	Language     string    // preferred language, BCP 47 ("" = browser's)
	AvatarType   string    // content type of the avatar, "" when none
	DisabledAt   time.Time // zero while the account may sign in
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// EmailVerifiedAt is when the owner opened the verification link
	// mailed to Email; zero while unverified.
	EmailVerifiedAt time.Time
	// TrustedAt is when an administrator marked the account trusted: the
	// materials it adds to published courses need no review. Zero while
	// not trusted.
	TrustedAt time.Time
	// EmailBouncedAt is when mail to Email was last refused for good
	// (zero while it does not bounce); EmailBounce is the refusal. Mail to
	// a bouncing address is kept unsent until its owner verifies it
	// again.
	EmailBouncedAt time.Time
	EmailBounce    string
	// Bio is the account's public biography, shown with the courses it
	// teaches (line breaks allowed).
	Bio string
}

// EmailBounces reports whether mail to the account's address bounces.
func (a Account) EmailBounces() bool { return !a.EmailBouncedAt.IsZero() }

// Trusted reports whether an administrator marked the account trusted.
func (a Account) Trusted() bool { return !a.TrustedAt.IsZero() }

// Disabled reports whether an administrator disabled the account.
func (a Account) Disabled() bool { return !a.DisabledAt.IsZero() }

// NewAccount validates the registration fields and returns a student
// account with a fresh ID. passwordHash must come from HashPassword.
func NewAccount(email, displayName, passwordHash string, now time.Time) (Account, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return Account{}, err
	}
	n, err := CheckDisplayName(displayName)
	if err != nil {
		return Account{}, err
	}
	now = now.UTC().Truncate(time.Millisecond)
	return Account{
		ID:           uuid.NewString(),
		Email:        e,
		DisplayName:  n,
		PasswordHash: passwordHash,
		Roles:        Roles{RoleStudent},
		CreatedAt:    now,
		UpdatedAt:    now,
	}, nil
}

// NormalizeEmail checks that s is one plain address (no display name, no
// group) and returns it trimmed and lower-cased.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", invalid("email", "is required")
	}
	if len(s) > MaxEmailLen || !utf8.ValidString(s) {
		return "", invalid("email", "is not a valid address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", invalid("email", "is not a valid address")
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(s, " \t\r\n\"\\<>") {
		return "", invalid("email", "is not a valid address")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", invalid("email", "is not a valid address")
		}
	}
	return s, nil
}

// CheckDisplayName validates a display name and returns it normalised.
// Control characters, and invisible or direction-changing ones (bidi
// overrides and isolates, zero-width characters: see NormalizeName), are
// refused with a precise error rather than silently dropped; runs of
// spaces become one, the name is trimmed and put in NFC.
func CheckDisplayName(s string) (string, error) {
	v, err := checkLine("display_name", s, 1, MaxDisplayNameLen)
	if err != nil {
		return "", err
	}
	if hasInvisible(v) {
		return "", invalid("display_name", "contains invisible or direction-changing characters")
	}
	return checkLine("display_name", NormalizeName(v), 1, MaxDisplayNameLen)
}

// CheckLanguage validates a BCP 47 language tag in its common shape
// (language, then subtags of letters and digits: "en", "zh-Hans-CN",
// "pt-BR"). The empty string means "no preference".
func CheckLanguage(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if len(s) > MaxLanguageLen {
		return "", invalid("language", "is not a language tag")
	}
	for i, sub := range strings.Split(s, "-") {
		ok := len(sub) >= 1 && len(sub) <= 8
		for _, c := range []byte(sub) {
			letter := c|0x20 >= 'a' && c|0x20 <= 'z'
			digit := c >= '0' && c <= '9'
			if !letter && !(digit && i > 0) {
				ok = false
			}
		}
		if i == 0 && (len(sub) < 2 || len(sub) > 3) {
			ok = false
		}
		if !ok {
			return "", invalid("language", "is not a language tag")
		}
	}
	return s, nil
}

// ProfileChange is a partial update of an account's profile: nil fields
// are left as they are.
type ProfileChange struct {
	DisplayName *string
	Language    *string
	Bio         *string
}

// MaxBioLen bounds an account's biography (runes).
const MaxBioLen = 2000

// ApplyProfile validates p and applies it to a.
func (a *Account) ApplyProfile(p ProfileChange, now time.Time) error {
	next := *a
	if p.DisplayName != nil {
		n, err := CheckDisplayName(*p.DisplayName)
		if err != nil {
			return err
		}
		next.DisplayName = n
	}
	if p.Language != nil {
		l, err := CheckLanguage(*p.Language)
		if err != nil {
			return err
		}
		next.Language = l
	}
	if p.Bio != nil {
		b, err := checkBlock("bio", *p.Bio, 0, MaxBioLen)
		if err != nil {
			return err
		}
		next.Bio = b
	}
	next.UpdatedAt = now.UTC().Truncate(time.Millisecond)
	*a = next
	return nil
}

func strconvQuote(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
