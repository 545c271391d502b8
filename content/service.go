package content

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Defaults for the limits.
const (
	DefaultMaxFileSize = 4 << 30  // 4 GiB per file
	DefaultCourseQuota = 20 << 30 // 20 GiB per course
)

// Service applies the rules to materials: names, sniffed types, limits,
// quotas, deduplication, and keeps bytes and metadata in step.
type Service struct {
	blobs   Blobs
	store   Store
	log     *slog.Logger
	maxFile int64
	quota   int64
	now     func() time.Time
	videos  bool // videos are queued for processing

	// mu serialises the short step that records or deletes a material and
	// makes its blob visible or removes it, so a blob is never removed
	// while a new material comes to refer to it.
	mu sync.Mutex
}

// Option configures a Service.
type Option func(*Service)

// WithMaxFileSize sets the per-file limit in bytes.
func WithMaxFileSize(n int64) Option { return func(s *Service) { s.maxFile = n } }

// WithCourseQuota sets the per-course quota in bytes.
func WithCourseQuota(n int64) Option { return func(s *Service) { s.quota = n } }

// WithVideoProcessing queues new videos for a Processor (status
// "processing"); without it they are ready as uploaded.
func WithVideoProcessing(on bool) Option { return func(s *Service) { s.videos = on } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// NewService returns a Service over blobs and store.
func NewService(blobs Blobs, store Store, opts ...Option) *Service {
	s := &Service{blobs: blobs, store: store, maxFile: DefaultMaxFileSize, quota: DefaultCourseQuota,
		now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// MaxFileSize is the per-file limit.
func (s *Service) MaxFileSize() int64 { return s.maxFile }

// Quota is the per-course quota.
func (s *Service) Quota() int64 { return s.quota }

// Store returns the metadata store.
func (s *Service) Store() Store { return s.store }

// Blobs returns the blob store.
func (s *Service) Blobs() Blobs { return s.blobs }

// NewMaterial describes a material being added.
type NewMaterial struct {
	CourseID, LessonID string
	Name               string
	Downloadable       bool
	CreatedBy          string
	// Pending makes the material wait for a reviewer (hidden from
	// students until approved).
	Pending bool
}

// CheckUpload refuses early what Add would refuse for its name or size
// alone: a bad name, 0 bytes, over the file limit or the course's
// remaining quota. size < 0 means unknown.
func (s *Service) CheckUpload(ctx context.Context, courseID, name string, size int64) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if size == 0 {
		return ErrEmpty
	}
	if size > s.maxFile {
		return fmt.Errorf("%w: %d bytes over the limit of %d", ErrTooLarge, size, s.maxFile)
	}
	if s.quota > 0 && size > 0 {
		used, err := s.store.CourseUsage(ctx, courseID)
		if err != nil {
			return err
		}
		if used+size > s.quota {
			return fmt.Errorf("%w: %d bytes used of %d, this file has %d", ErrQuota, used, s.quota, size)
		}
	}
	return nil
}

// Add stores r as a new material of nm.CourseID. Nothing remains of a
// refused or failed upload. Adding bytes the course already has returns a
// *DuplicateError naming the existing material.
func (s *Service) Add(ctx context.Context, nm NewMaterial, r io.Reader) (Material, error) {
	return s.add(ctx, nm, r, func(src io.Reader, limit int64) (Staged, error) {
		return s.blobs.Stage(ctx, src, limit)
	})
}

// AddFile is Add for a finished file on this machine (a tus upload). If
// the blob store can adopt it, the file is renamed into place, not copied;
// either way it is consumed (removed) unless it is refused before reading.
func (s *Service) AddFile(ctx context.Context, nm NewMaterial, path string) (Material, error) {
	f, err := os.Open(path)
	if err != nil {
		return Material{}, fmt.Errorf("content: %w", err)
	}
	defer f.Close()
	ad, ok := s.blobs.(Adopter)
	if !ok {
		return s.Add(ctx, nm, f)
	}
	return s.add(ctx, nm, f, func(src io.Reader, limit int64) (Staged, error) {
		return ad.Adopt(ctx, path, src, limit)
	})
}

func (s *Service) add(ctx context.Context, nm NewMaterial, r io.Reader, stage func(io.Reader, int64) (Staged, error)) (Material, error) {
	if err := s.CheckUpload(ctx, nm.CourseID, nm.Name, -1); err != nil {
		return Material{}, err
	}
	br := bufio.NewReaderSize(r, SniffLen)
	head, err := br.Peek(SniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return Material{}, fmt.Errorf("content: reading: %w", err)
	}
	if len(head) == 0 {
		return Material{}, ErrEmpty
	}
	mt, kind, err := Sniff(nm.Name, head)
	if err != nil {
		return Material{}, err
	}
	limit := s.maxFile
	var used int64
	if s.quota > 0 {
		if used, err = s.store.CourseUsage(ctx, nm.CourseID); err != nil {
			return Material{}, err
		}
		limit = min(limit, s.quota-used)
		if limit <= 0 {
			return Material{}, fmt.Errorf("%w: %d bytes used of %d", ErrQuota, used, s.quota)
		}
	}
	var src io.Reader = br
	var pc *pageCounter
	if kind == KindPDF {
		pc = &pageCounter{}
		src = io.TeeReader(br, pc)
	}
	st, err := stage(src, limit)
	if errors.Is(err, ErrTooLarge) && limit < s.maxFile {
		return Material{}, fmt.Errorf("%w: %d bytes used of %d", ErrQuota, used, s.quota)
	}
	if err != nil {
		return Material{}, err
	}
	defer st.Abort()
	b := st.Blob()
	m := Material{
		ID: uuid.NewString(), CourseID: nm.CourseID, LessonID: nm.LessonID, Name: nm.Name,
		MediaType: mt, Kind: kind, Size: b.Size, SHA256: b.SHA256, Downloadable: nm.Downloadable,
		Status: StatusReady, CreatedBy: nm.CreatedBy, CreatedAt: s.now().UTC().Truncate(time.Millisecond),
		Review: ReviewApproved,
	}
	if nm.Pending {
		m.Review = ReviewPending
	}
	if pc != nil {
		m.Pages = pc.Pages()
	}
	if kind == KindVideo && s.videos {
		m.Status = StatusProcessing
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.InsertMaterial(ctx, m, s.quota); err != nil {
		return Material{}, err
	}
	if err := st.Commit(); err != nil {
		if derr := s.store.DeleteMaterial(context.WithoutCancel(ctx), m.ID); derr != nil {
			s.log.Error("material recorded but its blob was not stored", "material", m.ID, "err", derr)
		}
		return Material{}, err
	}
	return m, nil
}

// Delete removes a material, and its bytes when no other material has
// them.
func (s *Service) Delete(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.store.Material(ctx, id)
	if err != nil {
		return err
	}
	if err := s.store.DeleteMaterial(ctx, id); err != nil {
		return err
	}
	used, err := s.store.BlobInUse(ctx, m.SHA256)
	if err != nil || used {
		return err
	}
	return s.blobs.Remove(ctx, m.SHA256)
}

// Open opens a material's bytes.
func (s *Service) Open(ctx context.Context, m Material) (File, error) {
	return s.blobs.Open(ctx, m.SHA256)
}
