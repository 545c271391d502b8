package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// buy pays for courseID as c through billing (dev provider) and returns
// the order id.
func (h *matHarness) buy(t *testing.T, c *client, courseID string) string {
	t.Helper()
	ctx := context.Background()
	acc, err := h.st.Account(ctx, c.id)
	if err != nil {
		t.Fatal(err)
	}
	o, _, err := h.bill.CreateOrder(ctx, acc, billing.OrderRequest{CourseID: courseID, IdempotencyKey: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.bill.ApplyEvent(ctx, billing.Event{Provider: "dev", ID: "evt_" + uuid.NewString(), Type: billing.EventPaid,
		OrderID: o.ID, CheckoutRef: "dev_cs_" + o.ID, PaymentRef: "dev_pi_" + o.ID,
		Money: billing.Money{Amount: o.Amount, Currency: o.Currency}, Created: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// paidCourses makes a teacher with two priced courses, the first with a
// free-preview lesson.
func (h *matHarness) paidCourses(t *testing.T) (teacher *client, courseID, otherID, previewLesson string) {
	t.Helper()
	teacher = h.teacher("teacher@example.org")
	courseID = teacher.createCourse(t, "Paid course")
	otherID = teacher.createCourse(t, "Other course")
	h.price(t, teacher, courseID)
	h.price(t, teacher, otherID)
	previewLesson = teacher.createLesson(t, courseID)
	tacc, _ := h.st.Account(context.Background(), teacher.id)
	if _, err := h.bill.SetFreePreview(context.Background(), tacc, previewLesson, true); err != nil {
		t.Fatal(err)
	}
	return teacher, courseID, otherID, previewLesson
}

func (h *matHarness) price(t *testing.T, teacher *client, courseID string) {
	t.Helper()
	acc, _ := h.st.Account(context.Background(), teacher.id)
	if _, err := h.bill.SetPrice(context.Background(), acc, courseID, billing.PriceInput{Amount: 9900, Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
}

// TestMaterialsAccessMatrix: who gets a paid course's material, through
// the link endpoint and through the file endpoint itself.
func TestMaterialsAccessMatrix(t *testing.T) {
	storetest.ForEach(t, testMaterialsAccessMatrix)
}

func testMaterialsAccessMatrix(t *testing.T, st *store.Store) {
	ctx := context.Background()
	h := newMatHarness(t, st)
	teacher, courseID, otherID, previewLesson := h.paidCourses(t)
	data := []byte(strings.Repeat("Lecture notes, line.\n", 500))
	mat := teacher.mustUpload(t, courseID, "", "notes.txt", data)
	preview := teacher.mustUpload(t, courseID, previewLesson, "preview.txt", []byte("free preview notes"))

	entitled := h.register("entitled@example.org", "Entitled")
	h.buy(t, entitled, courseID)
	refunded := h.register("refunded@example.org", "Refunded")
	order := h.buy(t, refunded, courseID)
	otherCourse := h.register("other@example.org", "Other")
	h.buy(t, otherCourse, otherID)
	enrolledUnpaid := h.register("unpaid@example.org", "Unpaid")
	want(t, enrolledUnpaid.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
	anonymous := h.client()

	// The refunded student had a link while entitled.
	staleLink := refunded.link(t, mat.ID, false)
	admin := h.register("admin@example.org", "Admin")
	h.grant(admin, classroom.RoleAdmin)
	aacc, _ := h.st.Account(ctx, admin.id)
	if _, err := h.bill.AdminRefund(ctx, aacc, order, 0, "refund"); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name   string
		c      *client
		mat    string
		status int
		code   string
	}{
		{"teacher", teacher, mat.ID, http.StatusOK, ""},
		{"entitled", entitled, mat.ID, http.StatusOK, ""},
		{"refunded", refunded, mat.ID, http.StatusPaymentRequired, "payment_required"},
		{"enrolled, unpaid", enrolledUnpaid, mat.ID, http.StatusPaymentRequired, "payment_required"},
		{"enrolled, unpaid, free preview lesson", enrolledUnpaid, preview.ID, http.StatusOK, ""},
		{"entitled to another course", otherCourse, mat.ID, http.StatusForbidden, "not_a_member"},
		{"anonymous", anonymous, mat.ID, http.StatusUnauthorized, "unauthenticated"},
		{"admin", admin, mat.ID, http.StatusOK, ""},
		{"unknown material", entitled, uuid.NewString(), http.StatusNotFound, "not_found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.c.do("GET", "/api/v1/materials/"+c.mat+"/link", nil)
			want(t, r, c.status, c.code)
		})
	}

	// The file endpoint checks again when a link is used: the refund
	// closed a link signed before it.
	want(t, anonymous.do("GET", staleLink, nil), http.StatusPaymentRequired, "payment_required")

	link := entitled.link(t, mat.ID, false)
	r := anonymous.do("GET", link, nil) // the link is the credential: no cookie needed
	want(t, r, http.StatusOK)
	if string(r.body) != string(data) {
		t.Fatal("body differs")
	}
	if got := r.header.Get("Content-Disposition"); got != `inline; filename=notes.txt` {
		t.Errorf("Content-Disposition %q", got)
	}
	if got := r.header.Get("Cache-Control"); !strings.HasPrefix(got, "private, max-age=") {
		t.Errorf("Cache-Control %q", got)
	}
	if r.header.Get("ETag") != `"`+mat.SHA256+`"` || r.header.Get("Content-Type") != "text/plain" ||
		r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", r.header)
	}
	// Ranges.
	r = anonymous.do("GET", link, nil, "Range", "bytes=21-41")
	want(t, r, http.StatusPartialContent)
	if string(r.body) != string(data[21:42]) || r.header.Get("Content-Range") != fmt.Sprintf("bytes 21-41/%d", len(data)) {
		t.Fatalf("range: %q %q", r.body, r.header.Get("Content-Range"))
	}
	// Conditional requests.
	want(t, anonymous.do("GET", link, nil, "If-None-Match", `"`+mat.SHA256+`"`), http.StatusNotModified)
	// Tampered or expired links.
	want(t, anonymous.do("GET", strings.Replace(link, "a="+entitled.id, "a="+refunded.id, 1), nil), http.StatusForbidden, "bad_link")
	want(t, anonymous.do("GET", strings.Replace(link, "/"+mat.ID+"/", "/"+preview.ID+"/", 1), nil), http.StatusForbidden, "bad_link")
	want(t, anonymous.do("GET", "/api/v1/materials/"+mat.ID+"/file", nil), http.StatusForbidden, "bad_link")
	h.clock.Add(11 * time.Minute)
	want(t, anonymous.do("GET", link, nil), http.StatusForbidden, "bad_link")

	// Downloads only where the teacher allows them.
	want(t, entitled.do("GET", "/api/v1/materials/"+mat.ID+"/link?download=1", nil), http.StatusForbidden, "download_not_allowed")
	want(t, entitled.do("PATCH", "/api/v1/materials/"+mat.ID, map[string]any{"downloadable": true}), http.StatusForbidden, "forbidden")
	want(t, teacher.do("PATCH", "/api/v1/materials/"+mat.ID, map[string]any{"downloadable": true}), http.StatusOK)
	r = anonymous.do("GET", entitled.link(t, mat.ID, true), nil)
	want(t, r, http.StatusOK)
	if got := r.header.Get("Content-Disposition"); got != `attachment; filename=notes.txt` {
		t.Errorf("download Content-Disposition %q", got)
	}
	// A download link dies when the teacher disallows downloads again.
	dl := entitled.link(t, mat.ID, true)
	want(t, teacher.do("PATCH", "/api/v1/materials/"+mat.ID, map[string]any{"downloadable": false}), http.StatusOK)
	want(t, anonymous.do("GET", dl, nil), http.StatusForbidden, "download_not_allowed")

	// Listing follows the access policy (TestMaterialsListAccess);
	// deleting is for the teacher.
	want(t, otherCourse.do("GET", "/api/v1/courses/"+courseID+"/materials", nil), http.StatusForbidden, "not_a_member")
	r = enrolledUnpaid.do("GET", "/api/v1/courses/"+courseID+"/materials", nil)
	want(t, r, http.StatusOK)
	var list struct {
		Materials []struct{ ID string }
		Used      int64
	}
	r.decode(t, &list)
	if len(list.Materials) != 1 || list.Materials[0].ID != preview.ID || list.Used != int64(len(data))+18 {
		t.Fatalf("list %+v", list)
	}
	want(t, entitled.do("DELETE", "/api/v1/materials/"+mat.ID, nil), http.StatusForbidden, "forbidden")
	want(t, teacher.do("DELETE", "/api/v1/materials/"+mat.ID, nil), http.StatusNoContent)
	want(t, anonymous.do("GET", entitled.linkOrEmpty(mat.ID), nil), http.StatusForbidden, "bad_link")
}

// link signs a material link for c.
func (c *client) link(t *testing.T, id string, download bool) string {
	t.Helper()
	q := ""
	if download {
		q = "?download=1"
	}
	r := c.do("GET", "/api/v1/materials/"+id+"/link"+q, nil)
	want(t, r, http.StatusOK)
	var l struct{ URL string }
	r.decode(t, &l)
	return l.URL
}

// linkOrEmpty is the link if one is given, else the unsigned file path.
func (c *client) linkOrEmpty(id string) string {
	r := c.do("GET", "/api/v1/materials/"+id+"/link", nil)
	var l struct{ URL string }
	if r.status == http.StatusOK {
		_ = jsonUnmarshal(r.body, &l)
		return l.URL
	}
	return "/api/v1/materials/" + id + "/file"
}
