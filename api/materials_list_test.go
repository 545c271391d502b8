package api_test

import (
	"testing"

	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestMaterialsListAccess: GET /api/v1/courses/{id}/materials lists the
// materials the access policy opens to the caller — the course-wide one
// (DecideCourse), a paid lesson's and a free-preview lesson's (Decide) —
// and refuses with the policy's reason when none opens; both stores.
func TestMaterialsListAccess(t *testing.T) {
	storetest.ForEach(t, testMaterialsListAccess)
}

func testMaterialsListAccess(t *testing.T, st *store.Store) {
	h := newMatHarness(t, st)
	k := h.paidClass(t)
	wide := k.teacher.mustUpload(t, k.course, "", "syllabus.txt", []byte("the whole course"))
	onLesson := k.teacher.mustUpload(t, k.course, k.lesson, "week2.txt", []byte("week two"))
	onPreview := k.teacher.mustUpload(t, k.course, k.preview, "week1.txt", []byte("week one, free"))
	k.refund()
	k.remove(t)

	all := []string{wide.ID, onLesson.ID, onPreview.ID}
	lists := map[string][]string{"teacher": all, "assistant": all, "entitled": all, "admin": all, "reviewer": all,
		"banned": {wide.ID, onPreview.ID}, "unpaid": {onPreview.ID}, "refunded": {onPreview.ID}}
	refused := map[string]outcome{"removed": notMember, "stranger": notMember, "anonymous": signInFirst}
	k.listEach(t, "/api/v1/courses/"+k.course+"/materials", "materials", lists, refused)
	// Every listed material's link opens to the same people: the list
	// names nothing the caller is then refused.
	for _, p := range k.who() {
		for _, id := range lists[p.name] {
			expect(t, p.name+" links "+id, p.c.do("GET", "/api/v1/materials/"+id+"/link", nil), opened)
		}
	}
}
