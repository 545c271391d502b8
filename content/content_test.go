package content_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// minimalPDF builds a small, valid PDF with n pages.
func minimalPDF(n int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	b.WriteString("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	kids := make([]string, n)
	for i := range n {
		kids[i] = fmt.Sprintf("%d 0 R", 3+i)
	}
	fmt.Fprintf(&b, "2 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n", strings.Join(kids, " "), n)
	for i := range n {
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n", 3+i)
	}
	b.WriteString("trailer\n<< /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}

func TestSniff(t *testing.T) {
	mp4 := append([]byte{0, 0, 0, 0x20}, []byte("ftypisom\x00\x00\x02\x00isomiso2avc1mp41")...)
	webm := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for _, c := range []struct {
		name string
		head []byte
		want string
		kind content.Kind
		err  error
	}{
		{"slides.pdf", minimalPDF(1), "application/pdf", content.KindPDF, nil},
		{"slides", minimalPDF(1), "application/pdf", content.KindPDF, nil},
		{"clip.mp4", mp4, "video/mp4", content.KindVideo, nil},
		{"clip.MOV", mp4, "video/mp4", content.KindVideo, nil},
		{"clip.webm", webm, "video/webm", content.KindVideo, nil},
		{"notes.txt", []byte("plain notes\n"), "text/plain", content.KindDocument, nil},
		{"photo.png", png, "image/png", content.KindImage, nil},
		{"slides.pdf", []byte("just text, not a PDF"), "", "", content.ErrTypeMismatch},
		{"clip.mp4", minimalPDF(1), "", "", content.ErrTypeMismatch},
		{"photo.jpg", png, "", "", content.ErrTypeMismatch},
		{"page.html", []byte("<html><script>alert(1)</script>"), "", "", content.ErrUnsupportedType},
		{"page.txt", []byte("<html><script>alert(1)</script>"), "", "", content.ErrUnsupportedType},
		{"run.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\x00\x01\x02"), "", "", content.ErrUnsupportedType},
	} {
		t.Run(c.name+"/"+c.want, func(t *testing.T) {
			mt, kind, err := content.Sniff(c.name, c.head)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("Sniff = %s, %v; want %v", mt, err, c.err)
				}
				return
			}
			if err != nil || mt != c.want || kind != c.kind {
				t.Fatalf("Sniff = %s %s %v; want %s %s", mt, kind, err, c.want, c.kind)
			}
		})
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"slides.pdf", "第一讲 讲义.pdf", "a.b.c", "it's (final) v2.mp4"} {
		if err := content.CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "   ", "../etc/passwd", "..", "a..b.pdf", "dir/file.pdf", `dir\file.pdf`,
		"a\x00b", "tab\there", "line\nbreak", strings.Repeat("x", 256), "\xff\xfe.pdf"} {
		if err := content.CheckName(bad); !errors.Is(err, content.ErrBadName) {
			t.Errorf("CheckName(%q) = %v, want ErrBadName", bad, err)
		}
	}
}

func TestDiskAtomicAndChecksummed(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d, err := content.NewDisk(root)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("lectern "), 100_000)
	sum := sha256.Sum256(data)
	st, err := d.Stage(ctx, bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Blob().SHA256 != hex.EncodeToString(sum[:]) || st.Blob().Size != int64(len(data)) {
		t.Fatalf("staged %+v", st.Blob())
	}
	if _, err := d.Open(ctx, st.Blob().SHA256); !errors.Is(err, content.ErrNotFound) {
		t.Fatalf("a staged blob is visible before Commit: %v", err)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	st.Abort() // no-op after Commit
	f, err := d.Open(ctx, st.Blob().SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}

	// Refusals leave nothing in tmp/.
	if _, err := d.Stage(ctx, bytes.NewReader(nil), 0); !errors.Is(err, content.ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
	if _, err := d.Stage(ctx, bytes.NewReader(data), 1000); !errors.Is(err, content.ErrTooLarge) {
		t.Fatalf("too large: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.Stage(cctx, bytes.NewReader(data), 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	st2, err := d.Stage(ctx, strings.NewReader("aborted"), 0)
	if err != nil {
		t.Fatal(err)
	}
	st2.Abort()
	if left, _ := os.ReadDir(filepath.Join(root, "tmp")); len(left) != 0 {
		t.Fatalf("tmp/ holds %d files after refusals", len(left))
	}

	// A blob changed on disk fails its full read (the last chunk is
	// withheld) but ranges still read.
	p, _ := d.Path(st.Blob().SHA256)
	bad := bytes.Clone(data)
	bad[10] ^= 1
	if err := os.WriteFile(p, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	f, _ = d.Open(ctx, st.Blob().SHA256)
	got, err = io.ReadAll(f)
	f.Close()
	if !errors.Is(err, content.ErrCorrupt) || len(got) >= len(data) {
		t.Fatalf("corrupt blob: %d bytes, %v; want a short read and ErrCorrupt", len(got), err)
	}
	f, _ = d.Open(ctx, st.Blob().SHA256)
	if _, err := f.Seek(100, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(f); err != nil || len(got) != len(data)-100 {
		t.Fatalf("range read: %d, %v", len(got), err)
	}
	f.Close()
	if err := d.Remove(ctx, st.Blob().SHA256); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(ctx, st.Blob().SHA256); err != nil {
		t.Fatalf("second remove: %v", err)
	}
}

func TestPDFPageCount(t *testing.T) {
	for _, n := range []int{1, 7, 240} {
		svc, course, teacher, _ := newService(t, storetest.SQLite(t))
		m, err := svc.Add(context.Background(), content.NewMaterial{CourseID: course.ID, Name: "deck.pdf", CreatedBy: teacher.ID},
			iotestOneByte(bytes.NewReader(minimalPDF(n))))
		if err != nil {
			t.Fatal(err)
		}
		if m.Pages != n || m.Kind != content.KindPDF {
			t.Fatalf("pages = %d kind %s; want %d pdf", m.Pages, m.Kind, n)
		}
	}
}

// iotestOneByte reads one byte at a time, so patterns straddle writes.
func iotestOneByte(r io.Reader) io.Reader { return oneByte{r} }

type oneByte struct{ r io.Reader }

func (o oneByte) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

func newService(t testing.TB, st *store.Store, opts ...content.Option) (*content.Service, classroom.Course, classroom.Account, string) {
	t.Helper()
	ctx := context.Background()
	acc, err := classroom.NewAccount(fmt.Sprintf("t%d@example.org", time.Now().UnixNano()), "Teacher", "x", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	acc.Roles, _ = classroom.NewRoles(classroom.RoleTeacher)
	if err := st.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	title := "Course"
	c, err := classroom.NewCourse(acc, classroom.CourseChange{Title: &title}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	storetest.Publish(t, st, c.ID)
	root := t.TempDir()
	d, err := content.NewDisk(root)
	if err != nil {
		t.Fatal(err)
	}
	return content.NewService(d, st, opts...), c, acc, root
}

// blobFiles counts the blobs and temporary files under root.
func blobFiles(t testing.TB, root string) (blobs, tmp int) {
	t.Helper()
	filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if filepath.Base(filepath.Dir(p)) == "tmp" {
				tmp++
			} else {
				blobs++
			}
		}
		return nil
	})
	return
}

func TestServiceRules(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, course, teacher, root := newService(t, st, content.WithCourseQuota(10_000), content.WithMaxFileSize(6_000))
		add := func(name string, data []byte) (content.Material, error) {
			return svc.Add(ctx, content.NewMaterial{CourseID: course.ID, Name: name, CreatedBy: teacher.ID}, bytes.NewReader(data))
		}
		text := func(n int, c byte) []byte { return bytes.Repeat([]byte{c}, n) }
		if _, err := add("big.txt", text(6_001, 'b')); !errors.Is(err, content.ErrTooLarge) {
			t.Fatalf("over the file limit: %v", err)
		}
		first, err := add("notes.txt", text(5_000, 'a'))
		if err != nil {
			t.Fatal(err)
		}
		if first.MediaType != "text/plain" || first.Size != 5_000 || first.Status != content.StatusReady {
			t.Fatalf("material %+v", first)
		}
		var de *content.DuplicateError
		if _, err := add("copy of notes.txt", text(5_000, 'a')); !errors.As(err, &de) || de.Existing.ID != first.ID {
			t.Fatalf("second upload of the same bytes: %v", err)
		}
		for _, c := range []struct {
			name string
			data []byte
			want error
		}{
			{"empty.txt", nil, content.ErrEmpty},
			{"over.txt", text(5_001, 'c'), content.ErrQuota},
			{"../../escape.txt", text(10, 'd'), content.ErrBadName},
			{"lies.pdf", text(10, 'e'), content.ErrTypeMismatch},
			{"page.html", []byte("<!DOCTYPE html><p>hi"), content.ErrUnsupportedType},
		} {
			if _, err := add(c.name, c.data); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		if list, _ := st.Materials(ctx, course.ID); len(list) != 1 {
			t.Fatalf("%d materials after refusals, want 1", len(list))
		}
		if blobs, tmp := blobFiles(t, root); blobs != 1 || tmp != 0 {
			t.Fatalf("%d blobs and %d temporary files after refusals, want 1 and 0", blobs, tmp)
		}
		// Exactly the remaining quota fits.
		second, err := add("rest.txt", text(5_000, 'f'))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Delete(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.Delete(ctx, first.ID); !errors.Is(err, content.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if blobs, _ := blobFiles(t, root); blobs != 1 {
			t.Fatalf("%d blobs after delete, want 1", blobs)
		}
		f, err := svc.Open(ctx, second)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(got, text(5_000, 'f')) {
			t.Fatal("read back different bytes")
		}
	})
}

func TestURLSigner(t *testing.T) {
	s := content.NewURLSigner([]byte("secret-secret-secret-secret-secret"))
	now := time.Unix(1_900_000_000, 0)
	g := content.Grant{MaterialID: "m1", AccountID: "a1", Download: true, Expires: now.Add(time.Minute)}
	q := s.Query(g)
	got, err := s.Verify("m1", q, now)
	if err != nil || got.AccountID != "a1" || !got.Download {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	if _, err := s.Verify("m1", q, now.Add(time.Minute)); !errors.Is(err, content.ErrBadSignature) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := s.Verify("m2", q, now); !errors.Is(err, content.ErrBadSignature) {
		t.Fatalf("other material: %v", err)
	}
	for k, v := range map[string]string{"a": "a2", "dl": "", "exp": fmt.Sprint(now.Add(time.Hour).Unix()), "sig": "AAAA"} {
		q2 := s.Query(g)
		q2.Set(k, v)
		if _, err := s.Verify("m1", q2, now); !errors.Is(err, content.ErrBadSignature) {
			t.Errorf("tampered %s: %v", k, err)
		}
	}
}

// TestAddFileAdopts: a finished upload on disk becomes the blob by a
// rename; a refused one is removed.
func TestAddFileAdopts(t *testing.T) {
	svc, course, teacher, root := newService(t, storetest.SQLite(t))
	dir := t.TempDir()
	ok := filepath.Join(dir, "upload-1")
	if err := os.WriteFile(ok, []byte("some lecture notes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := svc.AddFile(context.Background(), content.NewMaterial{CourseID: course.ID, Name: "notes.txt", CreatedBy: teacher.ID}, ok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ok); !os.IsNotExist(err) {
		t.Fatalf("the upload file is still there: %v", err)
	}
	f, err := svc.Open(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || string(got) != "some lecture notes\n" {
		t.Fatalf("blob %q, %v", got, err)
	}
	liar := filepath.Join(dir, "upload-2")
	if err := os.WriteFile(liar, []byte("not a pdf"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddFile(context.Background(), content.NewMaterial{CourseID: course.ID, Name: "x.pdf", CreatedBy: teacher.ID}, liar); !errors.Is(err, content.ErrTypeMismatch) {
		t.Fatalf("lying file: %v", err)
	}
	if blobs, tmp := blobFiles(t, root); blobs != 1 || tmp != 0 {
		t.Fatalf("%d blobs, %d temporary files", blobs, tmp)
	}
}
