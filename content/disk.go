package content

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Disk keeps blobs under one directory (<data-dir>/materials): each at
// ab/cdef… named by its SHA-256, written to tmp/ first and renamed into
// place, so a blob is either absent or whole.
type Disk struct {
	root string
}

var (
	_ Blobs      = (*Disk)(nil)
	_ LocalBlobs = (*Disk)(nil)
)

// NewDisk opens (creating) a blob directory and removes temporary files a
// crash left behind.
func NewDisk(root string) (*Disk, error) {
	d := &Disk{root: root}
	if err := os.MkdirAll(d.tmpDir(), 0o700); err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	entries, err := os.ReadDir(d.tmpDir())
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	for _, e := range entries {
		_ = os.Remove(filepath.Join(d.tmpDir(), e.Name()))
	}
	return d, nil
}

func (d *Disk) tmpDir() string { return filepath.Join(d.root, "tmp") }

// Path implements LocalBlobs.
func (d *Disk) Path(sha string) (string, error) {
	if !validSHA(sha) {
		return "", fmt.Errorf("%w: blob %q", ErrNotFound, sha)
	}
	return filepath.Join(d.root, sha[:2], sha[2:]), nil
}

// Stage implements Blobs.
func (d *Disk) Stage(ctx context.Context, r io.Reader, maxSize int64) (Staged, error) {
	tmp, err := os.CreateTemp(d.tmpDir(), "put-*")
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	st := &diskStaged{d: d, tmp: tmp.Name()}
	fail := func(err error) (Staged, error) {
		_ = tmp.Close()
		st.Abort()
		return nil, err
	}
	h := sha256.New()
	src := r
	if maxSize > 0 {
		src = io.LimitReader(r, maxSize+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, src})
	if err != nil {
		return fail(fmt.Errorf("content: storing: %w", err))
	}
	switch {
	case n == 0:
		return fail(ErrEmpty)
	case maxSize > 0 && n > maxSize:
		return fail(fmt.Errorf("%w (%d bytes)", ErrTooLarge, maxSize))
	}
	if err := tmp.Sync(); err != nil {
		return fail(fmt.Errorf("content: %w", err))
	}
	if err := tmp.Close(); err != nil {
		return fail(fmt.Errorf("content: %w", err))
	}
	st.blob = Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	return st, nil
}

// Adopt implements Adopter: the file at path, on the same file system as
// the blob directory, becomes the staged blob without a copy. r must read
// that file's bytes (it is hashed and counted); Abort removes the file.
func (d *Disk) Adopt(ctx context.Context, path string, r io.Reader, maxSize int64) (Staged, error) {
	st := &diskStaged{d: d, tmp: path}
	h := sha256.New()
	src := r
	if maxSize > 0 {
		src = io.LimitReader(r, maxSize+1)
	}
	n, err := io.Copy(h, ctxReader{ctx, src})
	switch {
	case err != nil:
		return nil, fmt.Errorf("content: reading: %w", err)
	case n == 0:
		return nil, ErrEmpty
	case maxSize > 0 && n > maxSize:
		return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, maxSize)
	}
	st.blob = Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	return st, nil
}

// diskStaged is a blob in tmp/ (or an adopted file) waiting for its
// rename.
type diskStaged struct {
	d    *Disk
	tmp  string
	blob Blob
	done bool
}

func (s *diskStaged) Blob() Blob { return s.blob }

func (s *diskStaged) Commit() error {
	if s.done {
		return nil
	}
	final, _ := s.d.Path(s.blob.SHA256)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	if err := os.Rename(s.tmp, final); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	s.done = true
	if dir, err := os.Open(filepath.Dir(final)); err == nil {
		_ = dir.Sync()
		_ = dir.Close()
	}
	return nil
}

func (s *diskStaged) Abort() {
	if !s.done {
		_ = os.Remove(s.tmp)
		s.done = true
	}
}

// Open implements Blobs.
func (d *Disk) Open(_ context.Context, sha string) (File, error) {
	p, err := d.Path(sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, sha)
	}
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("content: %w", err)
	}
	return &checkedFile{f: f, size: st.Size(), mod: st.ModTime(), want: sha, h: sha256.New()}, nil
}

// Remove implements Blobs.
func (d *Disk) Remove(_ context.Context, sha string) error {
	p, err := d.Path(sha)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("content: %w", err)
	}
	return nil
}

// checkedFile hashes what is read while reads run from offset 0 straight
// to the end, and fails the read that reaches the end if the bytes no
// longer match their name. A Seek elsewhere (a range request) stops the
// check for that handle.
type checkedFile struct {
	f        *os.File
	size     int64
	mod      time.Time
	want     string
	h        hash.Hash
	pos      int64
	unsigned bool // a seek broke the sequence: no check
}

func (c *checkedFile) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	if !c.unsigned {
		c.h.Write(p[:n])
	}
	c.pos += int64(n)
	if !c.unsigned && c.pos >= c.size && n > 0 {
		// The last byte was just read (http.ServeContent stops there
		// without reading EOF).
		c.unsigned = true
		if hex.EncodeToString(c.h.Sum(nil)) != c.want || c.pos != c.size {
			// Withhold the last chunk: the client sees a short body.
			return 0, fmt.Errorf("%w: blob %s", ErrCorrupt, c.want)
		}
	}
	return n, err
}

func (c *checkedFile) Seek(off int64, whence int) (int64, error) {
	p, err := c.f.Seek(off, whence)
	if err == nil && p != c.pos {
		if p == 0 {
			c.h.Reset()
			c.unsigned = false
		} else {
			c.unsigned = true
		}
		c.pos = p
	}
	return p, err
}

func (c *checkedFile) Close() error       { return c.f.Close() }
func (c *checkedFile) Size() int64        { return c.size }
func (c *checkedFile) ModTime() time.Time { return c.mod }

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
