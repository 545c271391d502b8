package classroom

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkLine validates a single-line text field: valid UTF-8, no control
// characters, between min and max runes once trimmed. It returns the trimmed
// value.
func checkLine(field, v string, min, max int) (string, error) {
	v = strings.TrimSpace(v)
	if err := checkText(field, v, min, max, false); err != nil {
		return "", err
	}
	return v, nil
}

// checkBlock validates a multi-line text field: like checkLine but tabs and
// line breaks are allowed.
func checkBlock(field, v string, min, max int) (string, error) {
	v = strings.TrimSpace(v)
	if err := checkText(field, v, min, max, true); err != nil {
		return "", err
	}
	return v, nil
}

func checkText(field, v string, min, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return invalid(field, "must be valid UTF-8")
	}
	n := utf8.RuneCountInString(v)
	switch {
	case n < min && min == 1:
		return invalid(field, "is required")
	case n < min:
		return invalid(field, "is too short")
	case n > max:
		return invalid(field, "is too long")
	}
	for _, r := range v {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return invalid(field, "contains control characters")
		}
	}
	return nil
}
