package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	if status == http.StatusNoContent {
		return
	}
	json.NewEncoder(w).Encode(v)
}

// decodeJSON reads exactly one JSON object of at most maxBytes into dst,
// refusing unknown fields and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, maxBytes int64, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
				Message: "send application/json"}
		}
	}
	body := http.MaxBytesReader(w, r.Body, maxBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err == nil {
			return &Error{Status: http.StatusBadRequest, Code: "invalid_json", Message: "body must be a single JSON object"}
		}
		return jsonError(err)
	}
	return nil
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
			Message: "request body is too large"}
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_json", Field: ute.Field,
			Message: "field " + ute.Field + " has the wrong type"}
	}
	msg := "malformed JSON"
	if errors.Is(err, io.EOF) {
		msg = "empty body"
	} else if err != nil {
		msg = "malformed JSON: " + err.Error()
	}
	return &Error{Status: http.StatusBadRequest, Code: "invalid_json", Message: msg}
}
