package api

import (
	"crypto/subtle"
	"net/http"

	"github.com/lectern/lectern/classroom"
)

// Helpers for packages that mount their own routes next to the API's
// (billing): the same session authentication, CSRF check, cross-origin
// protection, request timeout and JSON error shape as the API's own routes.

// Caller is the signed-in account of a request and its session's CSRF
// token (to embed in a server-rendered form).
type Caller struct {
	Account   classroom.Account
	CSRFToken string
}

// HandlerFunc is a route that returns its error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// CallerFunc is a route that knows its caller (nil when anonymous, for
// Optional).
type CallerFunc func(w http.ResponseWriter, r *http.Request, c *Caller) error

// Public serves h without a session: under the request timeout and behind
// cross-origin protection, with h's error written as a JSON error (an
// *Error as is, classroom's sentinels mapped, anything else a logged 500).
func (s *Server) Public(h HandlerFunc) http.Handler {
	return s.cop.Handler(s.serve(handler(h)))
}

// Authed serves h for a signed-in caller only (401 otherwise); requests
// that change state must carry the session's X-CSRF-Token header.
func (s *Server) Authed(h CallerFunc) http.Handler {
	return s.cop.Handler(s.authed(func(w http.ResponseWriter, r *http.Request, c *caller) error {
		return h(w, r, exportCaller(c))
	}))
}

// Optional serves a read-only h signed in or not; c is nil when anonymous.
func (s *Server) Optional(h CallerFunc) http.Handler {
	return s.cop.Handler(s.optional(func(w http.ResponseWriter, r *http.Request, c *caller) error {
		return h(w, r, exportCaller(c))
	}))
}

// AuthedForm is Authed for HTML form posts: the CSRF token of a request
// that changes state is read from the form field named field instead of
// the X-CSRF-Token header.
func (s *Server) AuthedForm(field string, h CallerFunc) http.Handler {
	return s.cop.Handler(s.serve(func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.authenticate(w, r)
		if err != nil {
			return err
		}
		if c == nil {
			return errUnauthenticated
		}
		if !safeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue(field)), []byte(c.csrf())) != 1 {
				return errCSRF
			}
		}
		return h(w, r, exportCaller(c))
	}))
}

func exportCaller(c *caller) *Caller {
	if c == nil {
		return nil
	}
	return &Caller{Account: c.account, CSRFToken: c.csrf()}
}

// DecodeJSON reads one JSON object into dst with the API's rules (size
// limit, unknown fields refused), returning an *Error on bad input.
func (s *Server) DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeJSON(w, r, s.maxBody, dst)
}

// WriteJSON writes v as the API writes its answers (no-store, nosniff).
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// ErrorFor is the *Error the API would answer for err, and whether err was
// a known one (unknown errors become a 500 that says nothing of the cause).
func ErrorFor(err error) (*Error, bool) { return toError(err) }

// PageOf reads the limit and offset query parameters as the API does,
// returning an *Error (400 invalid_input) on a bad value.
func PageOf(r *http.Request) (classroom.Page, error) { return pageOf(r) }
