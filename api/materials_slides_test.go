package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestMaterialsThroughLessons: the access policy's material door for
// course-wide materials (the whole course's entitlement; a free preview
// does not open them), for a course-wide deck presented as slides in a
// lesson (then readable through that lesson by whoever may use it, link
// and file alike, and by nobody through a lesson that did not present it),
// for reviewers, and the slide timeline a replay follows.
func TestMaterialsThroughLessons(t *testing.T) {
	storetest.ForEach(t, testMaterialsThroughLessons)
}

func testMaterialsThroughLessons(t *testing.T, st *store.Store) {
	ctx := context.Background()
	h := newMatHarness(t, st)
	teacher, courseID, otherID, previewLesson := h.paidCourses(t)
	paidLesson := teacher.createLesson(t, courseID)
	otherLesson := teacher.createLesson(t, otherID)
	deck := teacher.mustUpload(t, courseID, "", "deck.pdf", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Pages /Count 3 >>\nendobj\n"))
	viewer := h.register("viewer@example.org", "Preview viewer")
	want(t, viewer.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
	stranger := h.register("stranger@example.org", "Stranger")
	h.buy(t, stranger, otherID)
	reviewer := h.register("reviewer@example.org", "Reviewer")
	h.grant(reviewer, classroom.RoleReviewer)

	link := func(c *client, via string) response {
		q := ""
		if via != "" {
			q = "?lesson=" + via
		}
		return c.do("GET", "/api/v1/materials/"+deck.ID+"/link"+q, nil)
	}
	// Course-wide: the free preview does not open it; nor does a lesson
	// that has not presented it.
	want(t, link(viewer, ""), http.StatusPaymentRequired, "payment_required")
	want(t, link(viewer, previewLesson), http.StatusForbidden, "not_presented")
	want(t, link(reviewer, ""), http.StatusOK)

	// The teacher presents it in the preview lesson.
	if err := st.Live().AppendSlideEvent(ctx, live.SlideEvent{LessonID: previewLesson, At: h.clock.Now(), MaterialID: deck.ID, Page: 1}); err != nil {
		t.Fatal(err)
	}
	r := link(viewer, previewLesson)
	want(t, r, http.StatusOK)
	var l struct{ URL string }
	r.decode(t, &l)
	anonymous := h.client()
	if f := anonymous.do("GET", l.URL, nil); f.status != http.StatusOK || string(f.body[:5]) != "%PDF-" {
		t.Fatalf("the deck through the preview lesson: %d %.20q", f.status, f.body)
	}
	want(t, link(viewer, paidLesson), http.StatusForbidden, "not_presented")
	want(t, link(viewer, otherLesson), http.StatusForbidden, "not_presented")
	want(t, link(stranger, previewLesson), http.StatusForbidden, "not_a_member")
	want(t, link(viewer, ""), http.StatusPaymentRequired, "payment_required")
	// The lesson in a link is signed: it cannot be moved to another.
	tampered := replaceQuery(t, l.URL, "l", paidLesson)
	want(t, anonymous.do("GET", tampered, nil), http.StatusForbidden, "bad_link")

	// The timeline, for whoever may watch the lesson's replay.
	r = viewer.do("GET", "/api/v1/lessons/"+previewLesson+"/slides", nil)
	want(t, r, http.StatusOK)
	var tl struct {
		Events []struct {
			MaterialID string `json:"material_id"`
			Page       int
		}
	}
	r.decode(t, &tl)
	if len(tl.Events) != 1 || tl.Events[0].MaterialID != deck.ID || tl.Events[0].Page != 1 {
		t.Fatalf("timeline %+v", tl)
	}
	want(t, stranger.do("GET", "/api/v1/lessons/"+previewLesson+"/slides", nil), http.StatusForbidden, "not_a_member")
	want(t, viewer.do("GET", "/api/v1/lessons/"+paidLesson+"/slides", nil), http.StatusPaymentRequired, "payment_required")
}

// replaceQuery sets key to value in the query of a path?query URL.
func replaceQuery(t *testing.T, u, key, value string) string {
	t.Helper()
	path, raw, _ := strings.Cut(u, "?")
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	q.Set(key, value)
	return path + "?" + q.Encode()
}
