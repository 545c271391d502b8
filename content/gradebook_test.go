package content_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/lectern/lectern/content"
)

// TestGradebookListsMissing: every enrolled student has a row, with the
// exercises they never submitted listed as missing (in the JSON and the
// CSV); a former student who submitted keeps their row.
func TestGradebookListsMissing(t *testing.T) {
	exs := []content.Exercise{{ID: "e1", Title: "One"}, {ID: "e2", Title: "Two"}}
	subs := []content.Submission{
		{ExerciseID: "e1", AccountID: "busy", Score: 3},
		{ExerciseID: "e1", AccountID: "busy", Score: 5},
		{ExerciseID: "e2", AccountID: "gone", Score: 1, Status: content.SubmissionPending},
	}
	students := []content.Student{
		{AccountID: "idle", Person: content.Person{Name: "Idle", Email: "idle@example.org"}},
		{AccountID: "busy", Person: content.Person{Name: "Busy", Email: "busy@example.org"}},
	}
	g := content.BuildGradebook(exs, subs, students, map[string]content.Person{"gone": {Name: "Gone", Email: "gone@example.org"}})
	var got []string
	for _, r := range g.Students {
		got = append(got, fmt.Sprintf("%s total=%d missing=%v", r.Name, r.Total, r.Missing))
	}
	want := []string{"Busy total=5 missing=[e2]", "Gone total=1 missing=[e1]", "Idle total=0 missing=[e1 e2]"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows:\n got %q\nwant %q", got, want)
	}
	var b bytes.Buffer
	if err := g.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 || lines[3] != "Idle,idle@example.org,missing,missing,0" || lines[2] != "Gone,gone@example.org,missing,1*,1" {
		t.Fatalf("CSV:\n%s", b.String())
	}
}
