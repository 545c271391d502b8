package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// threePagePDF is a small valid PDF of three blank pages.
func threePagePDF() []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>")
	for range 3 {
		obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] >>")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// TestBrowserMaterials: a teacher uploads a PDF with tus-js-client, reads
// it with pdf.js in the page, and sees a lying file refused.
func TestBrowserMaterials(t *testing.T) {
	dir := t.TempDir()
	pdf := filepath.Join(dir, "slides.pdf")
	liar := filepath.Join(dir, "lies.pdf")
	if err := os.WriteFile(pdf, threePagePDF(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(liar, []byte("plain text pretending to be a PDF"), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.pdf")
	if err := os.WriteFile(broken, []byte("%PDF-1.4\n"+strings.Repeat("garbage, no objects, no trailer\n", 50)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startTeacherScript(t, "materials", 80*time.Second, 30*time.Second, pdf, liar, broken)
	s.approveSubmitted(30 * time.Second)
	res := s.result(50 * time.Second)
	t.Logf("result: %v", res)
	if res["uploadState"] != "done" || res["progress"] != float64(100) {
		t.Errorf("upload state %v, progress %v", res["uploadState"], res["progress"])
	}
	if row, _ := res["row"].(string); !strings.Contains(row, "slides.pdf") || !strings.Contains(row, "3 pages") {
		t.Errorf("material row %q", row)
	}
	if w, _ := res["thumbWidth"].(float64); w < 100 {
		t.Errorf("first-page thumbnail %v px wide", w)
	}
	if res["pages"] != "3" {
		t.Errorf("pdf.js counts %v pages", res["pages"])
	}
	if w, _ := res["canvasWidth"].(float64); w < 100 {
		t.Errorf("page canvas %v px wide", w)
	}
	if r, _ := res["refusal"].(string); !strings.Contains(r, "上传失败") || !strings.Contains(r, "扩展名与内容不符") {
		t.Errorf("refusal shown as %q", r)
	}
	if b, _ := res["broken"].(string); !strings.Contains(b, "无法打开此 PDF") {
		t.Errorf("a damaged PDF shown as %q", b)
	}
	if errs, _ := res["errors"].([]any); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
