package api

import (
	"net/http"
	"unicode/utf8"

	"github.com/lectern/lectern/classroom"
)

// maxQueryLen bounds a catalogue search's text, in runes.
const maxQueryLen = 200

// catalogueQuery reads the catalogue's parameters: ?q= searches the words
// of title, summary, description, teacher's name and tags (each word a
// case-insensitive substring, so Chinese is found without spaces);
// ?tag= keeps courses with that tag; ?teacher=<id> narrows to one
// teacher, ?teacher=me lists the caller's own courses in every state;
// ?limit and ?offset page. Only published courses are listed otherwise.
func catalogueQuery(r *http.Request, c *caller) (classroom.CourseQuery, error) {
	v := r.URL.Query()
	q := classroom.CourseQuery{TeacherID: v.Get("teacher"),
		States: []classroom.CourseState{classroom.StatePublished}, Text: v.Get("q")}
	if !utf8.ValidString(q.Text) || utf8.RuneCountInString(q.Text) > maxQueryLen {
		return q, &Error{Status: http.StatusBadRequest, Code: "invalid_input", Field: "q",
			Message: "q must be valid UTF-8 of at most 200 characters"}
	}
	if tag := v.Get("tag"); tag != "" {
		tags, err := classroom.NormalizeTags([]string{tag})
		if err != nil {
			return q, &Error{Status: http.StatusBadRequest, Code: "invalid_input", Field: "tag",
				Message: "tag is not a valid tag"}
		}
		q.Tag = tags[0]
	}
	if q.TeacherID == "me" {
		if c == nil {
			return q, errUnauthenticated
		}
		q.TeacherID, q.States = c.account.ID, nil
	}
	var err error
	q.Page, err = pageOf(r)
	return q, err
}
