package classroom

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tag limits: a course has at most MaxTags tags of 1 to MaxTagLen runes.
const (
	MaxTags   = 8
	MaxTagLen = 30
)

// NormalizeTags validates a course's tags and returns them as stored:
// each trimmed, its inner white space runs made one space, in Unicode
// Normalization Form C; duplicates (compared by TagKey) dropped, the first
// spelling kept, order kept. Invalid UTF-8, control or invisible format
// characters, an empty tag, a tag longer than MaxTagLen runes or more than
// MaxTags tags are refused with a FieldError on "tags".
func NormalizeTags(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, raw := range in {
		if !utf8.ValidString(raw) {
			return nil, invalid("tags", "must be valid UTF-8")
		}
		t := strings.Join(strings.Fields(norm.NFC.String(raw)), " ")
		switch n := utf8.RuneCountInString(t); {
		case n == 0:
			return nil, invalid("tags", "has an empty tag")
		case n > MaxTagLen:
			return nil, invalid("tags", "has a tag longer than "+strconv.Itoa(MaxTagLen)+" characters")
		}
		if hasInvisible(t) || strings.ContainsFunc(t, unicode.IsControl) {
			return nil, invalid("tags", "contains control characters")
		}
		k := TagKey(t)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, invalid("tags", "must be at most "+strconv.Itoa(MaxTags)+" tags")
	}
	return out, nil
}

// TagKey is the form two tags are compared in (and the catalogue filters
// by): NFC, white space runs made one space, trimmed, lower case.
func TagKey(t string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(t)), " "))
}
