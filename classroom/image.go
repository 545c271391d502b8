package classroom

import (
	"fmt"
	"time"
)

// Image limits for avatars and course covers.
const (
	MaxAvatarBytes = 1 << 20 // 1 MiB
	MaxCoverBytes  = 2 << 20 // 2 MiB
	MaxImageSide   = 4096    // pixels, width and height
)

// imageTypes are the content types accepted for avatars and covers.
var imageTypes = map[string]bool{
	"image/png":  true,
	"image/jpeg": true,
	"image/gif":  true,
	"image/webp": true,
}

// ImageTypeAllowed reports whether ct is an accepted image content type.
func ImageTypeAllowed(ct string) bool { return imageTypes[ct] }

// Image is an uploaded picture: an avatar or a course cover.
type Image struct {
	ContentType string
	Data        []byte
	UpdatedAt   time.Time
}

// NewImage validates an upload whose content type was sniffed from its
// bytes (not taken from the client) against a size limit.
func NewImage(sniffedType string, data []byte, maxBytes int, now time.Time) (Image, error) {
	if len(data) == 0 {
		return Image{}, &FieldError{Field: "image", Reason: "is empty", Err: ErrImageType}
	}
	if len(data) > maxBytes {
		return Image{}, &FieldError{Field: "image",
			Reason: fmt.Sprintf("must be at most %d bytes", maxBytes), Err: ErrImageTooLarge}
	}
	if !ImageTypeAllowed(sniffedType) {
		return Image{}, &FieldError{Field: "image",
			Reason: "must be PNG, JPEG, GIF or WebP", Err: ErrImageType}
	}
	return Image{ContentType: sniffedType, Data: data, UpdatedAt: now.UTC().Truncate(time.Millisecond)}, nil
}
