package classroom

import (
	"errors"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"\u202Egnp.exe":              "gnp.exe",      // right-to-left override
		"\u2067Ada\u2069 Lovelace":   "Ada Lovelace", // isolates
		"Ada\u200BLove\u200Dlace":    "AdaLovelace",  // zero-width space and joiner
		"\uFEFFBob\u00AD":            "Bob",          // BOM, soft hyphen
		"  Ada \t\n  Lovelace\u3000": "Ada Lovelace", // spaces collapsed, trimmed
		"Jose\u0301":                 "Jos\u00E9",    // NFC
		"\u3164":                     "",             // Hangul filler only
		"admin\U000E0041\U000E0042":  "admin",        // tag characters
		"a\x00b\x1bc":                "abc",          // controls
		"李 老师":                       "李 老师",         // untouched
		"João 👍🏽":                    "João 👍🏽",      // untouched
		"x\xffy":                     "xy",           // invalid UTF-8 dropped
		"\u200F\u200E\u061C":         "",             // direction marks
		"e\u034F\u0301":              "\u00E9",       // grapheme joiner removed, then composed
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckDisplayNameNormalises(t *testing.T) {
	got, err := CheckDisplayName("  Jose\u0301   Lee\u3000")
	if err != nil || got != "Jos\u00E9 Lee" {
		t.Fatalf("CheckDisplayName = %q, %v", got, err)
	}
	for _, bad := range []string{" \u202Eadmin", "Ada\u200BLovelace", "\u2066x\u2069", "\uFEFFBob", "a\u00ADb"} {
		if _, err := CheckDisplayName(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckDisplayName(%q): %v, want ErrInvalid", bad, err)
		}
	}
}
