package content

import (
	"bytes"
	"fmt"
	"net/http"
	"path"
	"strings"
)

// Kind is what a material is, for how it is shown.
type Kind string

const (
	KindVideo    Kind = "video"
	KindPDF      Kind = "pdf"
	KindImage    Kind = "image"
	KindAudio    Kind = "audio"
	KindDocument Kind = "document" // plain text, archives
)

// SniffLen is how many leading bytes Sniff looks at.
const SniffLen = 512

// allowed lists the media types materials may have and their kinds.
var allowed = map[string]Kind{
	"video/mp4":       KindVideo,
	"video/webm":      KindVideo,
	"application/pdf": KindPDF,
	"image/png":       KindImage,
	"image/jpeg":      KindImage,
	"image/gif":       KindImage,
	"image/webp":      KindImage,
	"audio/mpeg":      KindAudio,
	"application/ogg": KindAudio,
	"audio/wave":      KindAudio,
	"application/zip": KindDocument,
	"text/plain":      KindDocument,
}

// extTypes are the extensions whose claim Sniff checks against the bytes.
var extTypes = map[string]string{
	".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".pdf": "application/pdf",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".mp3": "audio/mpeg", ".ogg": "application/ogg", ".oga": "application/ogg",
	".wav": "audio/wave", ".zip": "application/zip", ".txt": "text/plain", ".md": "text/plain",
	".docx": "application/zip", ".pptx": "application/zip", ".xlsx": "application/zip",
}

// Sniff decides a file's media type and kind from its first bytes (at
// least SniffLen of them when the file is that long), never from its name;
// the name's extension, when it names a type, must agree
// (ErrTypeMismatch), and the type must be one materials may have
// (ErrUnsupportedType).
func Sniff(name string, head []byte) (mediaType string, kind Kind, err error) {
	mediaType = sniffType(head)
	k, ok := allowed[mediaType]
	if !ok {
		return mediaType, "", fmt.Errorf("%w: %s", ErrUnsupportedType, mediaType)
	}
	if claimed, ok := extTypes[strings.ToLower(path.Ext(name))]; ok && claimed != mediaType {
		return mediaType, "", fmt.Errorf("%w: %q is named like %s but its content is %s",
			ErrTypeMismatch, name, claimed, mediaType)
	}
	return mediaType, k, nil
}

// sniffType is http.DetectContentType with its parameters dropped and the
// containers materials care about checked by their magic first.
func sniffType(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case len(head) >= 12 && string(head[4:8]) == "ftyp" && isMP4Brand(string(head[8:12])):
		return "video/mp4"
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}) && bytes.Contains(head, []byte("webm")):
		return "video/webm"
	}
	t := http.DetectContentType(head)
	t, _, _ = strings.Cut(t, ";")
	return strings.TrimSpace(t)
}

// isMP4Brand reports ISO base media brands that carry video.
func isMP4Brand(b string) bool {
	switch b {
	case "isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "dash", "mmp4", "msnv", "f4v ":
		return true
	}
	return false
}
