package storetest

import (
	"context"
	"testing"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
)

// Publish puts a course straight into the catalogue, skipping review, for
// tests about something else (buying, joining).
func Publish(t testing.TB, st *store.Store, courseID string) {
	t.Helper()
	ctx := context.Background()
	c, err := st.Course(ctx, courseID)
	if err != nil {
		t.Fatal(err)
	}
	prev := c.State
	c.State = classroom.StatePublished
	if err := st.SetCourseReview(ctx, c, prev, classroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
}
