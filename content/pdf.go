package content

import (
	"bytes"
	"regexp"
	"strconv"
)

// pageCounter reads a PDF as it streams past (an io.Writer) and finds its
// page count the cheap way: the largest /Count of an uncompressed
// /Type /Pages dictionary (the root of the page tree holds the total).
// It is best effort: PDFs that keep their page tree in a compressed object
// stream (PDF 1.5+) or are damaged give 0, "unknown". It never fails a
// write and keeps at most maxPDFObject bytes.
type pageCounter struct {
	cur      []byte // the current object's text so far
	overflow bool   // the current object passed maxPDFObject: ignored
	pages    int
}

const maxPDFObject = 64 << 10

var (
	pagesRE  = regexp.MustCompile(`/Type\s*/Pages(?:[^A-Za-z0-9]|$)`)
	countRE  = regexp.MustCompile(`/Count\s+(\d{1,9})`)
	endobjKW = []byte("endobj")
)

func (p *pageCounter) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		take := min(len(b), maxPDFObject)
		p.cur = append(p.cur, b[:take]...)
		b = b[take:]
		for {
			i := bytes.Index(p.cur, endobjKW)
			if i < 0 {
				break
			}
			if !p.overflow {
				p.object(p.cur[:i])
			}
			p.overflow = false
			p.cur = append(p.cur[:0], p.cur[i+len(endobjKW):]...)
		}
		if len(p.cur) > maxPDFObject {
			// A large object (a stream): keep only a tail long enough to
			// find the next "endobj".
			p.overflow = true
			p.cur = append(p.cur[:0], p.cur[len(p.cur)-len(endobjKW):]...)
		}
	}
	return n, nil
}

// object looks at one object's text.
func (p *pageCounter) object(obj []byte) {
	if !pagesRE.Match(obj) {
		return
	}
	for _, m := range countRE.FindAllSubmatch(obj, -1) {
		if c, err := strconv.Atoi(string(m[1])); err == nil && c > p.pages {
			p.pages = c
		}
	}
}

// Pages is the count found, 0 if none.
func (p *pageCounter) Pages() int { return p.pages }
