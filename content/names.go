package content

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen bounds a material's name in bytes.
const MaxNameLen = 255

// CheckName refuses names that are empty, too long, not UTF-8, contain
// control characters or path separators, or contain "..": a material's
// name is shown and offered as a download name, never used as a path, but
// it must not look like one either.
func CheckName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("%w: the name is empty", ErrBadName)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: the name is longer than %d bytes", ErrBadName, MaxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: the name is not UTF-8", ErrBadName)
	case strings.Contains(name, ".."):
		return fmt.Errorf("%w: %q contains \"..\"", ErrBadName, name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%w: %q contains a path separator", ErrBadName, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %q contains a control character", ErrBadName, name)
		}
	}
	return nil
}
