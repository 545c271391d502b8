package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
)

// TestCatalogueSearch: search finds published courses by words of the
// title, summary, description, teacher's name and tags, in English and
// Chinese, case-insensitively, never a course that is not published;
// ?tag= filters; paging holds; query syntax of either engine is plain
// text; a teacher's new name is searchable at once. Both backends.
func TestCatalogueSearch(t *testing.T) {
	for _, be := range testBackends {
		t.Run(be.name, func(t *testing.T) {
			s := be.open(t)
			ctx := context.Background()
			zhao := mkAccount(t, s, "zhao@example.org", classroom.RoleTeacher)
			li := mkAccount(t, s, "li@example.org", classroom.RoleTeacher)
			at := t0
			mk := func(teacher classroom.Account, title, summary string, tags []string, state classroom.CourseState) classroom.Course {
				t.Helper()
				c, err := classroom.NewCourse(teacher, classroom.CourseChange{Title: &title, Summary: &summary, Tags: &tags}, at)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.CreateCourse(ctx, c); err != nil {
					t.Fatal(err)
				}
				if state != classroom.StateDraft {
					c.State = state
					if err := s.SetCourseReview(ctx, c, classroom.StateDraft, classroom.AuditEntry{}); err != nil {
						t.Fatal(err)
					}
				}
				at = at.Add(time.Second) // newest first is a defined order
				return c
			}
			rust := mk(zhao, "Rust for Poets", "Ownership, borrowing and verse", []string{"Programming", "Rust"}, classroom.StatePublished)
			goC := mk(li, "Go 并发编程", "通道与协程的实战课程", []string{"编程", "Go"}, classroom.StatePublished)
			poetry := mk(li, "Classical poetry", "Tang poems, read slowly: 100% of them", []string{"诗词"}, classroom.StatePublished)
			mk(zhao, "Rust draft", "并发", []string{"Rust"}, classroom.StateDraft)
			mk(zhao, "Rust in review", "并发", []string{"Rust"}, classroom.StateInReview)
			mk(li, "Rust unpublished", "并发", []string{"Rust"}, classroom.StateUnpublished)

			find := func(q classroom.CourseQuery) []string {
				t.Helper()
				q.States = []classroom.CourseState{classroom.StatePublished}
				list, err := s.ListCourses(ctx, q)
				if err != nil {
					t.Fatalf("%+v: %v", q, err)
				}
				var ids []string
				for _, c := range list {
					ids = append(ids, c.ID)
				}
				return ids
			}
			for _, c := range []struct {
				text string
				want []string // in order
			}{
				{"rust", []string{rust.ID}},
				{"POETS", []string{rust.ID}},
				{"poet", []string{poetry.ID, rust.ID}}, // the title match first
				{"borrow", []string{rust.ID}},
				{"并发", []string{goC.ID}},
				{"协程", []string{goC.ID}},
				{"并发编程", []string{goC.ID}},
				{"编程", []string{goC.ID}},   // title and tag
				{"诗", []string{poetry.ID}}, // one character, in a tag
				{"发", []string{goC.ID}},
				{"并程", nil}, // both characters are there, not as a word
				{"程并", nil}, // nor this way round
				{"诗词", []string{poetry.ID}},
				{"協程", nil}, // another character, not a folding of 协
				{"name of zhao", []string{rust.ID}},
				{"programming", []string{rust.ID}},
				{"go 通道", []string{goC.ID}},
				{"rust 并发", nil},
				{"100%", []string{poetry.ID}},
				{"10_", nil},
				{`"`, nil},
				{`"rust"`, nil},
				{`rust*`, nil},
				{`*`, nil},
				{`rust OR go`, nil},
				{`-rust`, nil},
				{`NEAR(rust go)`, nil},
				{`' OR 1=1 --`, nil},
				{`\`, nil},
				{"nothing", nil},
			} {
				if got := find(classroom.CourseQuery{Text: c.text}); !slices.Equal(got, c.want) {
					t.Errorf("search %q = %v, want %v", c.text, got, c.want)
				}
			}

			// Tags.
			if got := find(classroom.CourseQuery{Tag: "rust"}); !slices.Equal(got, []string{rust.ID}) {
				t.Errorf("tag rust = %v", got)
			}
			if got := find(classroom.CourseQuery{Tag: "编程"}); !slices.Equal(got, []string{goC.ID}) {
				t.Errorf("tag 编程 = %v", got)
			}
			if got := find(classroom.CourseQuery{Tag: "rust", Text: "并发"}); got != nil {
				t.Errorf("tag rust and 并发 = %v", got)
			}
			got, err := s.Course(ctx, goC.ID)
			if err != nil || !slices.Equal(got.Tags, []string{"编程", "Go"}) {
				t.Errorf("Course tags = %q, %v", got.Tags, err)
			}
			list, err := s.ListCourses(ctx, classroom.CourseQuery{Text: "rust", States: []classroom.CourseState{classroom.StatePublished}})
			if err != nil || len(list) != 1 || !slices.Equal(list[0].Tags, []string{"Programming", "Rust"}) {
				t.Errorf("ListCourses tags = %+v, %v", list, err)
			}

			// Paging: newest first, then the next page.
			p1 := find(classroom.CourseQuery{Page: classroom.Page{Limit: 2}})
			p2 := find(classroom.CourseQuery{Page: classroom.Page{Limit: 2, Offset: 2}})
			if !slices.Equal(p1, []string{poetry.ID, goC.ID}) || !slices.Equal(p2, []string{rust.ID}) {
				t.Errorf("pages %v %v", p1, p2)
			}
			if got := find(classroom.CourseQuery{Text: "o", Page: classroom.Page{Limit: 1, Offset: 1}}); len(got) != 1 {
				t.Errorf("search page 2 = %v", got)
			}

			// Edits and renames reach the index at once.
			got.Tags = []string{"并发模型"}
			title := "Go in practice"
			if err := got.Apply(classroom.CourseChange{Title: &title}, t0); err != nil {
				t.Fatal(err)
			}
			if err := s.UpdateCourse(ctx, got); err != nil {
				t.Fatal(err)
			}
			if ids := find(classroom.CourseQuery{Text: "并发模型"}); !slices.Equal(ids, []string{goC.ID}) {
				t.Errorf("after edit: %v", ids)
			}
			if ids := find(classroom.CourseQuery{Tag: "编程"}); ids != nil {
				t.Errorf("old tag still found: %v", ids)
			}
			li.DisplayName = "Wang Fang"
			if err := s.UpdateAccount(ctx, li); err != nil {
				t.Fatal(err)
			}
			if ids := find(classroom.CourseQuery{Text: "wang"}); !slices.Equal(ids, []string{poetry.ID, goC.ID}) {
				t.Errorf("after rename: %v", ids)
			}
		})
	}
}
