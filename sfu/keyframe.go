package sfu

// Codec-specific inspection of RTP payloads: where a keyframe starts, and
// where the VP8 picture id sits so that it can be rewritten.

// codecKind says how a track's payloads are inspected.
type codecKind uint8

const (
	codecOther codecKind = iota
	codecOpus
	codecVP8
	codecH264
)

// isKeyframeStart reports whether payload is the first packet of a keyframe
// for the codec k. Audio packets are all "keyframes".
func isKeyframeStart(k codecKind, payload []byte) bool {
	switch k {
	case codecVP8:
		return vp8KeyframeStart(payload)
	case codecH264:
		return h264KeyframeStart(payload)
	case codecOpus, codecOther:
		return true
	}
	return false
}

// vp8Descriptor is the parsed VP8 payload descriptor (RFC 7741 §4.2).
type vp8Descriptor struct {
	start       bool // S bit with partition index 0
	hasPicID    bool
	picID16     bool // picture id is 15 bits (M bit set)
	picIDOffset int  // byte offset of the picture id
	pictureID   uint16
	hasTL0      bool
	tl0Offset   int
	tl0PicIdx   uint8
	size        int // descriptor length; the VP8 payload header follows
}

// parseVP8 parses the payload descriptor; ok is false for a payload too
// short to hold what its flags announce.
func parseVP8(p []byte) (d vp8Descriptor, ok bool) {
	if len(p) < 1 {
		return d, false
	}
	d.start = p[0]&0x10 != 0 && p[0]&0x07 == 0
	i := 1
	if p[0]&0x80 != 0 { // X
		if len(p) < 2 {
			return d, false
		}
		x := p[1]
		i = 2
		if x&0x80 != 0 { // I
			if len(p) < i+1 {
				return d, false
			}
			d.hasPicID = true
			d.picIDOffset = i
			if p[i]&0x80 != 0 {
				if len(p) < i+2 {
					return d, false
				}
				d.picID16 = true
				d.pictureID = uint16(p[i]&0x7f)<<8 | uint16(p[i+1])
				i += 2
			} else {
				d.pictureID = uint16(p[i])
				i++
			}
		}
		if x&0x40 != 0 { // L
			if len(p) < i+1 {
				return d, false
			}
			d.hasTL0 = true
			d.tl0Offset = i
			d.tl0PicIdx = p[i]
			i++
		}
		if x&0x30 != 0 { // T or K
			if len(p) < i+1 {
				return d, false
			}
			i++
		}
	}
	d.size = i
	return d, true
}

func vp8KeyframeStart(p []byte) bool {
	d, ok := parseVP8(p)
	if !ok || !d.start || len(p) <= d.size {
		return false
	}
	return p[d.size]&0x01 == 0 // P bit clear: a key frame
}

// H.264 NAL unit types (RFC 6184).
const (
	naluIDR   = 5
	naluSPS   = 7
	naluSTAPA = 24
	naluFUA   = 28
)

func h264KeyframeStart(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	switch t := p[0] & 0x1f; t {
	case naluIDR, naluSPS:
		return true
	case naluSTAPA:
		for i := 1; i+2 < len(p); {
			n := int(p[i])<<8 | int(p[i+1])
			i += 2
			if n == 0 || i+n > len(p) {
				return false
			}
			if nt := p[i] & 0x1f; nt == naluIDR || nt == naluSPS {
				return true
			}
			i += n
		}
	case naluFUA:
		if len(p) < 2 {
			return false
		}
		return p[1]&0x80 != 0 && p[1]&0x1f == naluIDR
	}
	return false
}
