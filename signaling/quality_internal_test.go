package signaling

import (
	"testing"

	"github.com/lectern/lectern/classroom/live"
)

// A worse grade shows at once; a better one only after it held for
// qualityHold reports, so a link on a threshold does not flap.
func TestQualityGradeHoldsBeforeImproving(t *testing.T) {
	const (
		good = live.QualityGood
		fair = live.QualityFair
		poor = live.QualityPoor
	)
	steps := []struct {
		in   live.Quality
		show live.Quality
		sent bool
	}{
		{good, good, true}, // the first grade shows at once
		{good, good, false},
		{poor, poor, true}, // worse: at once
		{good, poor, false},
		{poor, poor, false}, // back to poor: the count starts again
		{fair, poor, false},
		{fair, poor, false},
		{good, poor, false}, // a different better grade restarts the count
		{good, poor, false},
		{good, good, true}, // held three reports
		{fair, fair, true},
	}
	var g qualityGrade
	for i, s := range steps {
		q, sent := g.next(s.in)
		if q != s.show || sent != s.sent {
			t.Fatalf("step %d (%s): got %q sent=%v, want %q sent=%v", i, s.in, q, sent, s.show, s.sent)
		}
	}
}
