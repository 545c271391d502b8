package classroom

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{" Ada@Example.ORG ", "ada@example.org", true},
		{"o'brien+tag@example.org", "o'brien+tag@example.org", true},
		{"", "", false},
		{"ada", "", false},
		{"Ada <ada@example.org>", "", false},
		{"a@b@c", "", false},
		{"a b@example.org", "", false},
		{"a@example.org\x00", "", false},
		{strings.Repeat("a", 250) + "@example.org", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("NormalizeEmail(%q) error %v does not wrap ErrInvalid", tt.in, err)
		}
	}
}

func ExampleNormalizeEmail() {
	e, err := NormalizeEmail("  Grace.Hopper@Example.COM ")
	fmt.Println(e, err)
	// Output: grace.hopper@example.com <nil>
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"correct horse battery staple", true},
		{"short", false},
		{"aaaaaaaaaaaaaaaa", false},
		{"abababababcdcdcd", false}, // 4 distinct
		{"ada-lovelace-1815", false},
		{strings.Repeat("x1y2z", 60), false}, // too long
		{"\xff\xfe invalid utf8 !!", false},
	}
	for _, tt := range tests {
		err := CheckPassword(tt.pw, "ada-lovelace@example.org", "Ada")
		if (err == nil) != tt.ok {
			t.Errorf("CheckPassword(%q) = %v", tt.pw, err)
		}
		if err != nil && !errors.Is(err, ErrWeakPassword) {
			t.Errorf("CheckPassword(%q) error does not wrap ErrWeakPassword", tt.pw)
		}
	}
}

func TestHashAndVerify(t *testing.T) {
	p := TestArgon2()
	h, err := HashPassword("correct horse", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q", h)
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct horsE": false, "": false} {
		if ok, err := VerifyPassword(pw, h); ok != want || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v", pw, ok, err)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "plain"} {
		if _, err := VerifyPassword("x", bad); err == nil {
			t.Errorf("VerifyPassword accepted hash %q", bad)
		}
	}
	if !NeedsRehash(h, DefaultArgon2()) || NeedsRehash(h, p) {
		t.Error("NeedsRehash wrong")
	}
}

func TestCheckLanguage(t *testing.T) {
	for tag, ok := range map[string]bool{
		"": true, "en": true, "zh-Hans-CN": true, "pt-BR": true, "es-419": true,
		"e": false, "english": false, "en_US": false, "en-": false, "12": false, "en-toolongsubtag": false,
	} {
		if _, err := CheckLanguage(tag); (err == nil) != ok {
			t.Errorf("CheckLanguage(%q) = %v", tag, err)
		}
	}
}

func TestLessonStatus(t *testing.T) {
	tests := []struct {
		from, to Status
		ok       bool
	}{
		{StatusScheduled, StatusLive, true},
		{StatusScheduled, StatusEnded, true},
		{StatusLive, StatusEnded, true},
		{StatusLive, StatusScheduled, false},
		{StatusEnded, StatusLive, false},
		{StatusEnded, StatusEnded, false},
		{StatusScheduled, StatusScheduled, false},
	}
	for _, tt := range tests {
		l := Lesson{Status: tt.from}
		err := l.SetStatus(tt.to, time.Now())
		if (err == nil) != tt.ok {
			t.Errorf("%s → %s: %v", tt.from, tt.to, err)
		}
		if err != nil && !errors.Is(err, ErrStatus) {
			t.Errorf("%s → %s: error %v does not wrap ErrStatus", tt.from, tt.to, err)
		}
	}
}

func TestRelationOf(t *testing.T) {
	c := Course{TeacherID: "t", Assistants: []Member{{ID: "a"}}}
	tests := []struct {
		who      string
		enrolled bool
		want     Relation
	}{
		{"t", true, RelationTeacher},
		{"a", true, RelationAssistant},
		{"s", true, RelationStudent},
		{"x", false, RelationNone},
		{"", true, RelationNone},
	}
	for _, tt := range tests {
		if got := RelationOf(c, tt.who, tt.enrolled); got != tt.want {
			t.Errorf("RelationOf(%q, %v) = %q, want %q", tt.who, tt.enrolled, got, tt.want)
		}
	}
}

func TestSessionToken(t *testing.T) {
	s, tok, err := NewSession("acct", strings.Repeat("u", 300), "127.0.0.1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, secret, err := SplitToken(tok)
	if err != nil || id != s.ID || !CheckSecret(secret, s.Verifier) || len(s.UserAgent) != 200 {
		t.Fatalf("token %q does not match session %+v: %v", tok, s, err)
	}
	if CheckSecret(secret+"x", s.Verifier) {
		t.Error("a changed secret matched")
	}
	for _, bad := range []string{"", "nodot", s.ID + ".short", "not-a-uuid." + secret} {
		if _, _, err := SplitToken(bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("SplitToken(%q) = %v", bad, err)
		}
	}
}

func TestCourseRules(t *testing.T) {
	teacher := Account{ID: "00000000-0000-0000-0000-00000000000a", Roles: Roles{RoleTeacher}}
	title := "T"
	if _, err := NewCourse(Account{ID: "x", Roles: Roles{RoleStudent}}, CourseChange{Title: &title}, time.Now()); !errors.Is(err, ErrForbidden) {
		t.Errorf("student created a course: %v", err)
	}
	self := []string{teacher.ID}
	if _, err := NewCourse(teacher, CourseChange{Title: &title, Assistants: &self}, time.Now()); !errors.Is(err, ErrInvalid) {
		t.Errorf("teacher as own assistant: %v", err)
	}
	dup := []string{"00000000-0000-0000-0000-00000000000b", "00000000-0000-0000-0000-00000000000b"}
	c, err := NewCourse(teacher, CourseChange{Title: &title, Assistants: &dup}, time.Now())
	if err != nil || len(c.Assistants) != 1 {
		t.Errorf("duplicate assistants: %+v, %v", c.Assistants, err)
	}
	desc := "line\nline\ttab"
	if err := c.Apply(CourseChange{Description: &desc}, time.Now()); err != nil {
		t.Errorf("multi-line description refused: %v", err)
	}
}
