package api_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestMaterialThumbnail: the teacher's browser stores a PDF's first page;
// members the policy lets in read it.
func TestMaterialThumbnail(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		h := newMatHarness(t, st)
		teacher := h.teacher("teacher@example.org")
		courseID := teacher.createCourse(t, "Paid")
		mat := teacher.mustUpload(t, courseID, "", "deck.pdf", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Pages /Count 2 >>\nendobj\n"))
		if mat.Pages != 2 {
			t.Errorf("pages %d", mat.Pages)
		}
		path := "/api/v1/materials/" + mat.ID + "/thumbnail"
		want(t, teacher.do("GET", path, nil), http.StatusNotFound, "not_found")
		pic := pngBytes(t, 32, 24)
		want(t, teacher.do("PUT", path, "not an image", "Content-Type", "image/png"), http.StatusUnsupportedMediaType)
		want(t, teacher.do("PUT", path, pic, "Content-Type", "image/png"), http.StatusNoContent)
		r := teacher.do("GET", path, nil)
		want(t, r, http.StatusOK)
		if !bytes.Equal(r.body, pic) || r.header.Get("Content-Type") != "image/png" || r.header.Get("Cache-Control") != "private, max-age=300" {
			t.Fatalf("thumbnail: %d bytes, %v", len(r.body), r.header)
		}
		student := h.register("student@example.org", "Student")
		want(t, student.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
		want(t, student.do("GET", path, nil), http.StatusOK)
		want(t, student.do("PUT", path, pic, "Content-Type", "image/png"), http.StatusForbidden, "forbidden")
		h.price(t, teacher, courseID)
		want(t, student.do("GET", path, nil), http.StatusPaymentRequired, "payment_required")
		want(t, h.client().do("GET", path, nil), http.StatusUnauthorized)
	})
}
