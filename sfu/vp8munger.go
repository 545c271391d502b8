package sfu

// vp8Munger keeps the VP8 picture id and TL0PICIDX (RFC 7741 §4.2)
// continuous across layer switches: each simulcast encoding numbers its
// pictures on its own, and a decoder that sees the id jump may take the
// jump for loss. After a switch the ids continue one after the last sent.
//
// A vp8Munger is not safe for concurrent use.
type vp8Munger struct {
	started bool
	resync  bool   // the next packet starts a new mapping
	picOff  uint16 // out = in + picOff (mod 2^15)
	tl0Off  uint8  // out = in + tl0Off (mod 2^8)
	lastPic uint16 // newest output picture id
	lastTL0 uint8  // newest output TL0PICIDX
}

// picNewer reports whether a is after b among 15-bit picture ids.
func picNewer(a, b uint16) bool { return a != b && (a-b)&0x7fff < 0x4000 }

// rewrite returns p with its picture id and TL0PICIDX mapped into the
// output space. When the mapping is the identity p itself is returned;
// otherwise p is copied into *buf (allocated once, on first need) and
// patched there, since p is shared by every down-track of the layer.
func (m *vp8Munger) rewrite(p []byte, buf *[]byte) []byte {
	d, ok := parseVP8(p)
	if !ok || (!d.hasPicID && !d.hasTL0) {
		return p
	}
	if m.resync || !m.started {
		if m.started {
			if d.hasPicID {
				m.picOff = (m.lastPic + 1 - d.pictureID) & 0x7fff
			}
			if d.hasTL0 {
				m.tl0Off = m.lastTL0 + 1 - d.tl0PicIdx
			}
		}
		m.started, m.resync = true, false
		m.lastPic = (d.pictureID + m.picOff) & 0x7fff
		m.lastTL0 = d.tl0PicIdx + m.tl0Off
	}
	pic := (d.pictureID + m.picOff) & 0x7fff
	tl0 := d.tl0PicIdx + m.tl0Off
	switch {
	case !d.hasPicID:
	case d.picID16:
		if picNewer(pic, m.lastPic) {
			m.lastPic = pic
		}
	default: // a 7-bit picture id wraps at 128
		pic &= 0x7f
		if pic != m.lastPic&0x7f && (pic-m.lastPic)&0x7f < 0x40 {
			m.lastPic = pic
		}
	}
	if d.hasTL0 && tl0 != m.lastTL0 && int8(tl0-m.lastTL0) > 0 {
		m.lastTL0 = tl0
	}
	if (!d.hasPicID || m.picOff == 0) && (!d.hasTL0 || m.tl0Off == 0) {
		return p
	}
	return patchVP8(p, d, pic, tl0, buf)
}

// vp8Patch rewrites p with given offsets, as rewrite did when it was
// first sent: for a retransmission.
func vp8Patch(p []byte, picOff uint16, tl0Off uint8, buf *[]byte) []byte {
	d, ok := parseVP8(p)
	if !ok || (!d.hasPicID || picOff == 0) && (!d.hasTL0 || tl0Off == 0) {
		return p
	}
	pic := (d.pictureID + picOff) & 0x7fff
	if !d.picID16 {
		pic &= 0x7f
	}
	return patchVP8(p, d, pic, d.tl0PicIdx+tl0Off, buf)
}

// patchVP8 copies p into *buf (allocated once, on first need) with the
// picture id and TL0PICIDX given; p is shared by every down-track.
func patchVP8(p []byte, d vp8Descriptor, pic uint16, tl0 uint8, buf *[]byte) []byte {
	if cap(*buf) < len(p) {
		*buf = make([]byte, max(len(p), receiveMTU))
	}
	out := (*buf)[:len(p)]
	copy(out, p)
	if d.hasPicID {
		if d.picID16 {
			out[d.picIDOffset] = 0x80 | byte(pic>>8)
			out[d.picIDOffset+1] = byte(pic)
		} else {
			out[d.picIDOffset] = byte(pic)
		}
	}
	if d.hasTL0 {
		out[d.tl0Offset] = tl0
	}
	return out
}
