package classroom

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeName returns a person's name as Lectern stores and shows it,
// so that no name can disguise itself or reorder the text around it:
//
//   - invalid UTF-8 is dropped;
//   - format characters (Unicode category Cf: bidi embeddings, overrides,
//     isolates and marks, zero-width spaces and joiners, the BOM, soft
//     hyphens, tag characters), other controls (Cc), variation selectors
//     other than the emoji one, the combining grapheme joiner and the
//     invisible Hangul fillers are removed;
//   - any run of white space (every Unicode space, tabs and line breaks)
//     becomes one ASCII space, and the result is trimmed;
//   - the result is in Unicode Normalization Form C, so that names that
//     look the same are the same bytes.
//
// The live classroom admits the names in join tokens through it;
// CheckDisplayName refuses account names that it would have to strip.
func NormalizeName(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFC.String(s) {
		switch {
		case unicode.IsSpace(r): // tabs and line breaks included
			space = b.Len() > 0
			continue
		case invisible(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	// Removing characters can leave combining marks next to new bases:
	// compose again.
	return norm.NFC.String(b.String())
}

// hasInvisible reports whether s contains a character NormalizeName
// would remove (white space aside).
func hasInvisible(s string) bool {
	for _, r := range s {
		if invisible(r) {
			return true
		}
	}
	return false
}

// invisible reports whether r is a character a name must not contain.
func invisible(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', // Hangul fillers
		'\u034F', // combining grapheme joiner (Mn, yet invisible)
		utf8.RuneError:
		return true
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Cc, r) ||
		unicode.Is(unicode.Variation_Selector, r) && r != '\uFE0F'
}
