package token

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func signer(t *testing.T) *Signer {
	t.Helper()
	s, err := NewSigner([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	s := signer(t)
	c := Claims{Lesson: "l1", User: "u1", Name: "李老师", Role: RoleTeacher, Permissions: DefaultPermissions(RoleTeacher)}
	tok, err := s.Issue(c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lesson != "l1" || got.User != "u1" || got.Name != "李老师" || got.Role != RoleTeacher || !got.Permissions.Publish {
		t.Fatalf("claims: %+v", got)
	}
}

func TestVerifyRefuses(t *testing.T) {
	s := signer(t)
	other, _ := NewSigner([]byte(strings.Repeat("o", 32)))
	good := Claims{Lesson: "l", User: "u", Role: RoleStudent}
	forged, _ := other.Issue(good, time.Hour)
	expired, _ := s.Issue(good, -time.Second)
	valid, _ := s.Issue(good, time.Hour)
	payload, sig, _ := strings.Cut(valid, ".")
	tampered := payload[:len(payload)-2] + "xx." + sig
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"no dot", "abc", ErrMalformed},
		{"bad base64", "a.!!", ErrMalformed},
		{"forged", forged, ErrSignature},
		{"tampered", tampered, ErrSignature},
		{"expired", expired, ErrExpired},
		{"huge", strings.Repeat("a", 5000) + ".b", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Verify(tt.tok); !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestIssueValidates(t *testing.T) {
	s := signer(t)
	for _, c := range []Claims{
		{User: "u", Role: RoleStudent},
		{Lesson: "l", Role: RoleStudent},
		{Lesson: "l", User: "u", Role: "king"},
	} {
		if _, err := s.Issue(c, time.Hour); !errors.Is(err, ErrInvalid) {
			t.Errorf("Issue(%+v): %v, want ErrInvalid", c, err)
		}
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Error("short secret accepted")
	}
}

func TestDefaultPermissions(t *testing.T) {
	if DefaultPermissions(RoleStudent).Publish || DefaultPermissions(RoleObserver).Chat {
		t.Fatal("student may publish or observer may chat")
	}
	if !DefaultPermissions(RoleAssistant).Publish || !RoleAssistant.Moderator() || RoleStudent.Moderator() {
		t.Fatal("assistant permissions")
	}
}

func FuzzVerify(f *testing.F) {
	s, _ := NewSigner([]byte(strings.Repeat("s", 32)))
	tok, _ := s.Issue(Claims{Lesson: "l", User: "u", Role: RoleStudent}, time.Hour)
	f.Add(tok)
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, tok string) { _, _ = s.Verify(tok) })
}
