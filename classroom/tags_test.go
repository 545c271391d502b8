package classroom

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeTags(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want []string
		bad  bool
	}{
		{in: nil, want: []string{}},
		{in: []string{"  Go ", "go", "GO", "Rust"}, want: []string{"Go", "Rust"}},
		{in: []string{"系统\t\n 编程", "系统 编程"}, want: []string{"系统 编程"}},
		{in: []string{"Cafe\u0301", "café"}, want: []string{"Caf\u00e9"}},
		{in: []string{"C++", "中文"}, want: []string{"C++", "中文"}},
		{in: []string{strings.Repeat("字", MaxTagLen)}, want: []string{strings.Repeat("字", MaxTagLen)}},
		{in: []string{"1", "2", "3", "4", "5", "6", "7", "8", "8"}, want: []string{"1", "2", "3", "4", "5", "6", "7", "8"}},
		{in: []string{""}, bad: true},
		{in: []string{" \t "}, bad: true},
		{in: []string{strings.Repeat("字", MaxTagLen+1)}, bad: true},
		{in: []string{"a\x00b"}, bad: true},
		{in: []string{"a\u202eb"}, bad: true},
		{in: []string{"a\u200bb"}, bad: true},
		{in: []string{"\xff"}, bad: true},
		{in: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, bad: true},
	} {
		got, err := NormalizeTags(c.in)
		if c.bad {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "tags" || !errors.Is(err, ErrInvalid) {
				t.Errorf("NormalizeTags(%q) = %q, %v; want a tags field error", c.in, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("NormalizeTags(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if TagKey(" 系统  Programming ") != "系统 programming" {
		t.Errorf("TagKey = %q", TagKey(" 系统  Programming "))
	}
}

// FuzzNormalizeTags: whatever it accepts is valid, within limits, stable
// under a second pass, and has no two tags with one key.
func FuzzNormalizeTags(f *testing.F) {
	for _, s := range []string{"Go", " 系统 编程 ", "Cafe\u0301", "a\u202eb", "\xff", ""} {
		f.Add(s, "go")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		got, err := NormalizeTags([]string{a, b})
		if err != nil {
			return
		}
		keys := map[string]bool{}
		for _, tag := range got {
			if !utf8.ValidString(tag) || tag == "" || utf8.RuneCountInString(tag) > MaxTagLen || tag != strings.TrimSpace(tag) {
				t.Fatalf("accepted %q", tag)
			}
			if keys[TagKey(tag)] {
				t.Fatalf("two tags with key %q", TagKey(tag))
			}
			keys[TagKey(tag)] = true
		}
		again, err := NormalizeTags(got)
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("second pass %q -> %q, %v", got, again, err)
		}
	})
}
