package live

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

func TestSafeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"hello", "hello"},
		{"=1+1", "'=1+1"},
		{"+SUM(A1)", "'+SUM(A1)"},
		{"-2", "'-2"},
		{"@cmd", "'@cmd"},
		{"\t=x", "'\t=x"},
		{"\r=x", "'\r=x"},
		{"a=b", "a=b"},
		{"'=x", "'=x"},
	}
	for _, tc := range tests {
		if got := safeCell(tc.in); got != tc.want {
			t.Errorf("safeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func readCSV(t *testing.T, s string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestPollCSVInjectionAndShape(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	p := Poll{
		ID: "p1", Question: "=HYPERLINK(\"http://evil\")", Kind: PollSingle,
		Options: []string{"+1", "@two"}, Correct: []int{1}, OpenedAt: at, ClosedAt: at.Add(time.Minute),
	}
	votes := []Vote{
		{UserID: "u1", Name: "=cmd|' /C calc'!A0", Choices: []int{1}, At: at},
		{UserID: "u2", Name: "Bob", Choices: []int{0}, At: at},
	}
	var buf bytes.Buffer
	if err := WritePollCSV(&buf, p, votes); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.String())
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("unescaped cell %q", cell)
			}
		}
	}
	want := map[string]bool{
		`'=HYPERLINK("http://evil")`: false, "'+1": false, "'@two": false, "'=cmd|' /C calc'!A0": false,
	}
	for _, rec := range recs {
		for _, cell := range rec {
			if _, ok := want[cell]; ok {
				want[cell] = true
			}
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("missing escaped cell %q in %q", k, recs)
		}
	}
	// option rows: "+1" has 1 vote, incorrect; "@two" 1 vote, correct.
	found := 0
	for _, rec := range recs {
		if len(rec) == 3 && rec[0] == "'@two" && rec[1] == "1" && rec[2] == "yes" {
			found++
		}
		if len(rec) == 5 && rec[0] == "Bob" && rec[2] == "'+1" && rec[3] == "no" {
			found++
		}
	}
	if found != 2 {
		t.Fatalf("rows missing: %q", recs)
	}
}

func TestAnonymousPollCSVHasNoVoters(t *testing.T) {
	p := Poll{ID: "p", Question: "q", Kind: PollText, Anonymous: true}
	votes := []Vote{{UserID: "u-zed", Text: "zz"}, {UserID: "u-amy", Text: "aa"}}
	var buf bytes.Buffer
	if err := WritePollCSV(&buf, p, votes); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "u-zed") || strings.Contains(out, "u-amy") {
		t.Fatalf("voter ids leaked: %s", out)
	}
	if strings.Index(out, "aa") > strings.Index(out, "zz") {
		t.Fatalf("answers should be sorted, not in vote order: %s", out)
	}
}

func TestReportCSVInjection(t *testing.T) {
	rep := Report{Rows: []ReportRow{{UserID: "u", Name: "-1+1", Role: "student", Duration: 90 * time.Second}}}
	var buf bytes.Buffer
	if err := WriteReportCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.String())
	if recs[1][0] != "'-1+1" || recs[1][5] != "1.5" {
		t.Fatalf("row = %q", recs[1])
	}
}
