package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// TestQuotaAcrossProcesses: two servers on one database (two Stores, as
// two processes would have) race to add materials to one course; the
// course's quota holds across them on both backends: exactly as many
// materials as fit are stored, the rest refused with ErrQuota.
func TestQuotaAcrossProcesses(t *testing.T) { forRestartBackends(t, testQuotaAcrossProcesses) }

func testQuotaAcrossProcesses(t *testing.T, cfg Config) {
	ctx := context.Background()
	a, b := openTest(t, cfg), openTest(t, cfg)
	teacher := mkAccount(t, a, "t@example.org", classroom.RoleTeacher)
	course := mkCourse(t, a, teacher, "Course")
	const (
		size  = 100
		quota = 5 * size // room for five
		tries = 16
	)
	var wg sync.WaitGroup
	errs := make([]error, tries)
	start := make(chan struct{})
	for i := range tries {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			m := mkMaterial(course, teacher, fmt.Sprintf("%064x", i), size)
			errs[i] = st.InsertMaterial(ctx, m, quota)
		}()
	}
	close(start)
	wg.Wait()
	stored := 0
	for i, err := range errs {
		switch {
		case err == nil:
			stored++
		case !errors.Is(err, content.ErrQuota):
			t.Errorf("insert %d: %v, want nil or ErrQuota", i, err)
		}
	}
	used, err := b.CourseUsage(ctx, course.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored != quota/size || used != quota {
		t.Fatalf("%d materials stored, %d bytes used; want %d and %d (quota %d)", stored, used, quota/size, quota, quota)
	}
}
