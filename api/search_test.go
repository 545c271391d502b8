package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store/storetest"
)

// TestCatalogueTags: a teacher sets tags (normalised, validated with a
// field error), every course view carries them, ?tag= filters the
// catalogue, ?q= searches them, and a draft is never found by either.
// Query text that looks like FTS or SQL syntax is plain text. Both stores.
func TestCatalogueTags(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		tch := h.register("zhao@example.org", "Zhao Lei")
		h.grant(tch, classroom.RoleTeacher)
		mk := func(title string, tags []string) courseJSON {
			r := tch.do("POST", "/api/v1/courses", map[string]any{"title": title, "tags": tags})
			want(t, r, http.StatusCreated)
			var c courseJSON
			r.decode(t, &c)
			return c
		}
		rust := mk("Rust for Poets", []string{"  Cafe\u0301 ", "Rust", "rust", "系统 \t 编程"})
		poem := mk("Tang poems", []string{"诗词"})
		mk("Draft", []string{"Rust"})
		storetest.Publish(t, h.st, rust.ID)
		storetest.Publish(t, h.st, poem.ID)

		var got struct {
			Tags []string `json:"tags"`
		}
		r := h.client().do("GET", "/api/v1/courses/"+rust.ID, nil)
		want(t, r, http.StatusOK)
		r.decode(t, &got)
		if !slices.Equal(got.Tags, []string{"Caf\u00e9", "Rust", "系统 编程"}) {
			t.Errorf("tags = %q", got.Tags)
		}

		list := func(query string) []string {
			t.Helper()
			r := h.client().do("GET", "/api/v1/courses?"+query, nil)
			want(t, r, http.StatusOK)
			var out struct {
				Courses []struct {
					ID   string   `json:"id"`
					Tags []string `json:"tags"`
				}
			}
			r.decode(t, &out)
			var ids []string
			for _, c := range out.Courses {
				if c.Tags == nil {
					t.Errorf("%s: course %s without a tags array", query, c.ID)
				}
				ids = append(ids, c.ID)
			}
			return ids
		}
		for query, wantIDs := range map[string][]string{
			"tag=RUST":                                          {rust.ID},
			"tag=" + url.QueryEscape("诗词"):                      {poem.ID},
			"tag=" + url.QueryEscape("系统 编程"):                   {rust.ID},
			"q=" + url.QueryEscape("编程"):                        {rust.ID},
			"q=" + url.QueryEscape("诗"):                         {poem.ID},
			"q=" + url.QueryEscape("draft"):                     nil,
			"tag=nothing":                                       nil,
			"q=rust&tag=" + url.QueryEscape("诗词"):               nil,
			"q=" + url.QueryEscape(`"rust" OR * -`):             nil,
			"q=" + url.QueryEscape(`rust*`):                     nil,
			"q=" + url.QueryEscape(`'; DROP TABLE courses; --`): nil,
			"limit=1&offset=1":                                  {rust.ID},
		} {
			if got := list(query); !slices.Equal(got, wantIDs) {
				t.Errorf("%s: %v, want %v", query, got, wantIDs)
			}
		}
		// Edits replace the tags; bad tags are refused, naming the field.
		r = tch.do("PATCH", "/api/v1/courses/"+poem.ID, map[string]any{"tags": []string{"唐诗"}})
		want(t, r, http.StatusOK)
		if got := list("tag=" + url.QueryEscape("诗词")); got != nil {
			t.Errorf("old tag still listed: %v", got)
		}
		for _, bad := range [][]string{
			{""}, {"   "}, {strings.Repeat("x", classroom.MaxTagLen+1)}, {"a\x00b"}, {"a\u202eb"},
			{"1", "2", "3", "4", "5", "6", "7", "8", "9"},
		} {
			r := tch.do("PATCH", "/api/v1/courses/"+poem.ID, map[string]any{"tags": bad})
			want(t, r, http.StatusUnprocessableEntity)
			var e struct{ Field string }
			r.decode(t, &e)
			if e.Field != "tags" {
				t.Errorf("tags %q: field %q", bad, e.Field)
			}
		}
		want(t, h.client().do("GET", "/api/v1/courses?tag="+strings.Repeat("x", 31), nil), http.StatusBadRequest)
		want(t, h.client().do("GET", "/api/v1/courses?q="+strings.Repeat("中", 201), nil), http.StatusBadRequest)
		want(t, h.client().do("GET", "/api/v1/courses?q="+strings.Repeat("中", 200), nil), http.StatusOK)
	})
}
