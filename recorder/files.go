package recorder

import "os"

// Files writes the recordings' files: the operating system's file system
// by default. WithFiles replaces it, for a quota or for a test that fills
// a small disk (an unprivileged test cannot mount one).
type Files interface {
	// WriteFile writes b to the file name, creating it, and truncating it
	// (flag os.O_TRUNC) or appending to it (os.O_APPEND).
	WriteFile(name string, b []byte, flag int) error
}

// WithFiles sets where the recordings' files are written.
func WithFiles(f Files) Option { return func(r *Recorder) { r.files = f } }

type osFiles struct{}

func (osFiles) WriteFile(name string, b []byte, flag int) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|flag, 0o640)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeAtomic writes a file through a temporary file and a rename, so a
// reader (or a crash) never sees half of it.
func (r *Recorder) writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := r.files.WriteFile(tmp, b, os.O_TRUNC); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// endPlaylist closes a media playlist on disk when it cannot be rewritten
// (the disk is full): #EXT-X-ENDLIST appended to it, a few bytes, ends an
// EVENT playlist as well as a rewrite would.
func (r *Recorder) endPlaylist(path string) error {
	return r.files.WriteFile(path, []byte("#EXT-X-ENDLIST\n"), os.O_APPEND)
}
