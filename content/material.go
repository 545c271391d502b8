package content

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

// Status is where a material is in its processing.
type Status string

const (
	StatusReady      Status = "ready"      // servable as is
	StatusProcessing Status = "processing" // a video waiting for or in transcoding; the original is served meanwhile
	StatusFailed     Status = "failed"     // processing failed; Detail says why; the original is served
)

// Material is one file of a course, course-wide or for one lesson.
type Material struct {
	ID       string `json:"id"`
	CourseID string `json:"course_id"`
	LessonID string `json:"lesson_id,omitempty"` // "" for course-wide
	Name     string `json:"name"`
	// MediaType was decided by sniffing the bytes, never the name.
	MediaType string `json:"media_type"`
	Kind      Kind   `json:"kind"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	// Downloadable lets students save the file; otherwise it is only
	// shown inline.
	Downloadable bool `json:"downloadable"`
	// Pages is a PDF's page count, 0 when unknown.
	Pages     int       `json:"pages,omitempty"`
	Status    Status    `json:"status"`
	Detail    string    `json:"detail,omitempty"`
	Progress  int       `json:"progress,omitempty"` // processing, percent
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// Review is where the material stands in review (review.go);
	// ReviewNote the reason of a rejection, shown to the teacher.
	Review     Review    `json:"review"`
	ReviewNote string    `json:"review_note,omitempty"`
	ReviewedBy string    `json:"-"`
	ReviewedAt time.Time `json:"-"`
}

// Store keeps materials' metadata. Package store implements it on SQLite
// and PostgreSQL. Errors: ErrNotFound for an unknown material (or course
// on insert), *DuplicateError, ErrQuota.
type Store interface {
	// InsertMaterial records m in one transaction, unless the course
	// already has a material with m.SHA256 (*DuplicateError naming it) or
	// the course's materials would then total more than quota bytes
	// (ErrQuota; quota <= 0: no limit). The quota holds across every
	// process on the database: concurrent inserts for one course are
	// serialised from the sum to the commit.
	InsertMaterial(ctx context.Context, m Material, quota int64) error
	Material(ctx context.Context, id string) (Material, error)
	// Materials lists a course's materials, oldest first.
	Materials(ctx context.Context, courseID string) ([]Material, error)
	// UpdateMaterial changes Name, LessonID, Downloadable, Pages, Status,
	// Detail and Progress.
	UpdateMaterial(ctx context.Context, m Material) error
	// SetMaterialStatus records processing state alone (not to overwrite
	// a teacher's concurrent change).
	SetMaterialStatus(ctx context.Context, id string, st Status, detail string, progress int) error
	// DeleteMaterial removes a material.
	DeleteMaterial(ctx context.Context, id string) error
	// BlobInUse reports whether any material still refers to sha256.
	BlobInUse(ctx context.Context, sha256 string) (bool, error)
	// ProcessingMaterials lists the materials whose status is
	// "processing" (the video queue), oldest first.
	ProcessingMaterials(ctx context.Context) ([]Material, error)
	// CourseUsage is the total size of a course's materials.
	CourseUsage(ctx context.Context, courseID string) (int64, error)
	// SetMaterialReview writes m's review (Review, ReviewNote, ReviewedBy,
	// ReviewedAt) if the stored material is still in review state prev
	// (classroom.ErrConflict otherwise), with the audit entry e (when its
	// Action is set) and the notices, in one transaction.
	SetMaterialReview(ctx context.Context, m Material, prev Review, e classroom.AuditEntry, notices ...classroom.Notice) error
	// PendingMaterials lists the materials waiting for review, oldest
	// first.
	PendingMaterials(ctx context.Context, p classroom.Page) ([]Material, error)
}
