package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/token"
)

// TestHSTS: Strict-Transport-Security is sent when the request came over
// https (an https BaseURL, or a trusted proxy saying so), never over plain
// http, and never on the word of an untrusted X-Forwarded-Proto.
func TestHSTS(t *testing.T) {
	signer, err := token.NewSigner(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, tc := range []struct {
		name    string
		baseURL string
		trust   bool
		proto   string
		want    bool
	}{
		{"plain http", "http://school.example", false, "", false},
		{"https base URL", "https://school.example", false, "", true},
		{"trusted proxy says https", "http://school.example", true, "https", true},
		{"trusted proxy says http", "http://school.example", true, "http", false},
		{"untrusted header", "http://school.example", false, "https", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := api.New(api.Config{Store: gatedStore{} /* never called */, Signer: signer, BaseURL: tc.baseURL, TrustProxy: tc.trust,
				Argon2: classroom.TestArgon2()})
			defer s.Close()
			req := httptest.NewRequest("GET", "/", nil)
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			rec := httptest.NewRecorder()
			s.SecurityHeaders(next).ServeHTTP(rec, req)
			got := rec.Header().Get("Strict-Transport-Security")
			if tc.want && got != api.HSTSHeader || !tc.want && got != "" {
				t.Errorf("Strict-Transport-Security = %q, want it %v", got, tc.want)
			}
		})
	}
}
