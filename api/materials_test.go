package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/billing/devpay"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// clock is a settable clock for the API, billing and signed links.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// matHarness is the API with materials and exercises mounted behind one
// access policy, billing deciding paid access and bans the lessons'.
type matHarness struct {
	*harness
	bill  *billing.Service
	svc   *content.Service
	mats  *api.Materials
	clock *clock
	dir   string
	bans  *banSet
}

// banSet is the bans the live classroom would report (lesson, account).
type banSet struct {
	mu  sync.Mutex // guards set
	set map[[2]string]bool
}

func (b *banSet) Banned(_ context.Context, lessonID, accountID string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.set[[2]string{lessonID, accountID}]
}

func (b *banSet) ban(lessonID, accountID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.set[[2]string{lessonID, accountID}] = true
}

func newMatHarness(t testing.TB, st *store.Store, opts ...content.Option) *matHarness {
	t.Helper()
	return newMatHarnessCfg(t, st, nil, opts...)
}

// newMatHarnessCfg is newMatHarness with a hook on the materials config.
func newMatHarnessCfg(t testing.TB, st *store.Store, cfgFn func(dir string, svc *content.Service, c *api.MaterialsConfig), opts ...content.Option) *matHarness {
	t.Helper()
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	h := newHarness(t, st, func(c *api.Config) { c.Now = clk.Now })
	bill, err := billing.New(billing.Config{Store: st, Now: clk.Now, Providers: []billing.Provider{devpay.New(devpay.Config{})}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	disk, err := content.NewDisk(filepath.Join(dir, "materials"))
	if err != nil {
		t.Fatal(err)
	}
	svc := content.NewService(disk, st, opts...)
	bans := &banSet{set: map[[2]string]bool{}}
	policy := access.New(st, access.WithEntitlements(bill), access.WithBans(bans))
	mcfg := api.MaterialsConfig{Service: svc, Doors: policy, Thumbnails: st, Slides: st.Live(),
		Signer: content.NewURLSigner(testSecret), UploadDir: filepath.Join(dir, "uploads")}
	if cfgFn != nil {
		cfgFn(dir, svc, &mcfg)
	}
	mats, err := api.NewMaterials(h.api, mcfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.api.Register(mux)
	mats.Register(mux)
	api.NewExercises(h.api, st, policy).Register(mux)
	h.srv.Close()
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return &matHarness{harness: h, bill: bill, svc: svc, mats: mats, clock: clk, dir: dir, bans: bans}
}

// --- a minimal tus 1.0 client: the protocol's few HTTP calls

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// tusCreate starts an upload (POST) and returns its URL path.
func (c *client) tusCreate(t testing.TB, size int64, meta map[string]string) (string, response) {
	t.Helper()
	var pairs []string
	for k, v := range meta {
		pairs = append(pairs, k+" "+b64(v))
	}
	r := c.do("POST", "/api/v1/uploads/", nil, "Tus-Resumable", "1.0.0",
		"Upload-Length", strconv.FormatInt(size, 10), "Upload-Metadata", strings.Join(pairs, ","))
	loc := r.header.Get("Location")
	if i := strings.Index(loc, "/api/v1/uploads/"); i >= 0 {
		loc = loc[i:]
	}
	return loc, r
}

// tusPatch sends body at offset (PATCH).
func (c *client) tusPatch(t testing.TB, loc string, offset int64, body io.Reader) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest("PATCH", c.h.srv.URL+loc, body)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b, nil
}

// tusOffset asks where an upload stands (HEAD).
func (c *client) tusOffset(t testing.TB, loc string) int64 {
	t.Helper()
	r := c.do("HEAD", loc, nil, "Tus-Resumable", "1.0.0")
	want(t, r, http.StatusOK)
	n, err := strconv.ParseInt(r.header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		t.Fatalf("HEAD: Upload-Offset %q", r.header.Get("Upload-Offset"))
	}
	return n
}

type uploaded struct {
	Material  content.Material `json:"material"`
	Duplicate bool             `json:"duplicate"`
}

// upload sends data in one PATCH and returns the final response.
func (c *client) upload(t testing.TB, courseID, lessonID, name string, data []byte) (int, []byte) {
	t.Helper()
	loc, r := c.tusCreate(t, int64(len(data)), map[string]string{"course_id": courseID, "lesson_id": lessonID, "filename": name})
	if r.status != http.StatusCreated {
		return r.status, r.body
	}
	resp, body, err := c.tusPatch(t, loc, 0, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func (c *client) mustUpload(t testing.TB, courseID, lessonID, name string, data []byte) content.Material {
	t.Helper()
	st, body := c.upload(t, courseID, lessonID, name, data)
	if st != http.StatusNoContent && st != http.StatusOK {
		t.Fatalf("upload %s: %d %s", name, st, body)
	}
	var u uploaded
	if err := json.Unmarshal(body, &u); err != nil {
		t.Fatalf("upload %s: %v in %s", name, err, body)
	}
	return u.Material
}

func (c *client) createCourse(t testing.TB, title string) string {
	t.Helper()
	r := c.do("POST", "/api/v1/courses", map[string]any{"title": title})
	want(t, r, http.StatusCreated)
	var cj courseJSON
	r.decode(t, &cj)
	storetest.Publish(t, c.h.st, cj.ID) // reviewed (api's TestReviewWorkflow covers the review)
	// Its teacher is trusted, so that materials added now need no review
	// (TestMaterialReview covers that review).
	if err := c.h.st.SetTrusted(context.Background(), c.id, time.Now(), classroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	return cj.ID
}

func (c *client) createLesson(t testing.TB, courseID string) string {
	t.Helper()
	r := c.do("POST", "/api/v1/courses/"+courseID+"/lessons", map[string]any{
		"title": "Lesson", "starts_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "duration_minutes": 60})
	want(t, r, http.StatusCreated)
	var l struct{ ID string }
	r.decode(t, &l)
	return l.ID
}

// randomBytes is n reproducible pseudo-random bytes.
func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	// Plain text, so the sniffed type is stable: printable ASCII.
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return b
}

// failingReader gives n bytes of data, then fails: a connection cut
// mid-upload.
type failingReader struct {
	data []byte
	n    int
}

var errCut = errors.New("connection cut")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errCut
	}
	k := copy(p, f.data[:min(len(f.data), f.n, len(p))])
	f.data, f.n = f.data[k:], f.n-k
	return k, nil
}

// TestTusUploadResumed cuts an upload in the middle, asks the server
// where it stands and resumes from there; the material is byte-exact.
func TestTusUploadResumed(t *testing.T) {
	storetest.ForEach(t, testTusUploadResumed)
}

func testTusUploadResumed(t *testing.T, st *store.Store) {
	h := newMatHarness(t, st)
	teacher := h.teacher("teacher@example.org")
	courseID := teacher.createCourse(t, "Course")
	data := randomBytes(3<<20+12345, 7)
	loc, r := teacher.tusCreate(t, int64(len(data)), map[string]string{"course_id": courseID, "filename": "notes.txt"})
	want(t, r, http.StatusCreated)
	cut := 1<<20 + 333
	if _, _, err := teacher.tusPatch(t, loc, 0, &failingReader{data: data, n: cut}); err == nil {
		t.Fatal("a PATCH whose body failed succeeded")
	}
	var off int64
	for i := 0; ; i++ { // the server may still be saving the cut request's bytes
		off = teacher.tusOffset(t, loc)
		if off > 0 || i == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if off <= 0 || off > int64(cut) {
		t.Fatalf("offset after the cut = %d, want in (0, %d]", off, cut)
	}
	// A PATCH at a wrong offset is refused.
	if resp, _, err := teacher.tusPatch(t, loc, off+1, bytes.NewReader(data[off+1:])); err != nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("PATCH at a wrong offset: %v %v", resp.StatusCode, err)
	}
	resp, body, err := teacher.tusPatch(t, loc, off, bytes.NewReader(data[off:]))
	if err != nil || resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		t.Fatalf("resume: %v %v %s", resp.StatusCode, err, body)
	}
	var u uploaded
	if err := json.Unmarshal(body, &u); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	sum := sha256.Sum256(data)
	if u.Material.SHA256 != hex.EncodeToString(sum[:]) || u.Material.Size != int64(len(data)) {
		t.Fatalf("material %+v; want sha %x size %d", u.Material, sum, len(data))
	}
	got := teacher.fetchMaterial(t, u.Material.ID, "")
	if !bytes.Equal(got, data) {
		t.Fatal("the material's bytes differ from the upload")
	}
	// The finished upload is gone from the tus store.
	want(t, teacher.do("HEAD", loc, nil, "Tus-Resumable", "1.0.0"), http.StatusNotFound)
	// Another teacher cannot see or continue someone's upload.
	loc2, r := teacher.tusCreate(t, 10, map[string]string{"course_id": courseID, "filename": "b.txt"})
	want(t, r, http.StatusCreated)
	other := h.teacher("other@example.org")
	want(t, other.do("HEAD", loc2, nil, "Tus-Resumable", "1.0.0"), http.StatusNotFound)
	if resp, _, _ := other.tusPatch(t, loc2, 0, strings.NewReader("0123456789")); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another account's PATCH: %d", resp.StatusCode)
	}
}

// fetchMaterial signs a link and downloads it (range: a Range header or "").
func (c *client) fetchMaterial(t testing.TB, id, rng string) []byte {
	t.Helper()
	r := c.do("GET", "/api/v1/materials/"+id+"/link", nil)
	want(t, r, http.StatusOK)
	var l struct{ URL string }
	r.decode(t, &l)
	var hdr []string
	if rng != "" {
		hdr = []string{"Range", rng}
	}
	f := c.do("GET", l.URL, nil, hdr...)
	if f.status != http.StatusOK && f.status != http.StatusPartialContent {
		t.Fatalf("GET file: %d %s", f.status, f.body)
	}
	return f.body
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
