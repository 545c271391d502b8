package content

import (
	"context"
	"io"
	"regexp"
	"time"
)

// Blob names stored bytes by their SHA-256 (lowercase hex) and size.
type Blob struct {
	SHA256 string
	Size   int64
}

// Staged is a blob written but not yet visible.
type Staged interface {
	Blob() Blob
	// Commit makes the blob visible under its address (bytes already
	// there are kept: they are the same).
	Commit() error
	// Abort discards the staged bytes. It is safe after Commit (no-op).
	Abort()
}

// File is an open blob: seekable for range requests.
type File interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// Blobs is a content-addressed store of immutable bytes. Disk implements
// it; an object store can later, with the same contract.
type Blobs interface {
	// Stage streams r into the store without making it visible and
	// returns its address. It fails with ErrEmpty for no bytes and
	// ErrTooLarge past maxSize (> 0), leaving nothing behind. The caller
	// must Commit or Abort the result.
	Stage(ctx context.Context, r io.Reader, maxSize int64) (Staged, error)
	// Open opens a blob; ErrNotFound if absent. Reading it from start to
	// end checks its checksum (ErrCorrupt at the end on a mismatch).
	Open(ctx context.Context, sha256 string) (File, error)
	// Remove deletes a blob; absent blobs are not an error.
	Remove(ctx context.Context, sha256 string) error
}

// Adopter is implemented by stores that can take a finished local file
// (a tus upload) as a blob by renaming it instead of copying it.
type Adopter interface {
	Adopt(ctx context.Context, path string, r io.Reader, maxSize int64) (Staged, error)
}

// LocalBlobs is implemented by stores whose blobs are files on this
// machine (for ffmpeg and the PDF reader).
type LocalBlobs interface {
	Path(sha256 string) (string, error)
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// validSHA reports whether s looks like a lowercase hex SHA-256.
func validSHA(s string) bool { return shaRE.MatchString(s) }
