package sfu

import "testing"

func TestKeyframeStart(t *testing.T) {
	tests := []struct {
		name string
		kind codecKind
		p    []byte
		want bool
	}{
		{"vp8 key, no ext", codecVP8, []byte{0x10, 0x90, 0x01, 0x00}, true},
		{"vp8 inter, no ext", codecVP8, []byte{0x10, 0x91, 0x01}, false},
		{"vp8 key, 15-bit picid", codecVP8, []byte{0x90, 0x80, 0x81, 0x23, 0x00}, true},
		{"vp8 key, picid+tl0+tid", codecVP8, []byte{0x90, 0xe0, 0x05, 0x07, 0x20, 0x00}, true},
		{"vp8 continuation", codecVP8, []byte{0x00, 0x00}, false},
		{"vp8 second partition", codecVP8, []byte{0x11, 0x00}, false},
		{"vp8 truncated ext", codecVP8, []byte{0x90}, false},
		{"vp8 truncated picid", codecVP8, []byte{0x90, 0x80, 0x81}, false},
		{"vp8 empty", codecVP8, nil, false},
		{"h264 idr", codecH264, []byte{0x65, 0x88}, true},
		{"h264 sps", codecH264, []byte{0x67, 0x42}, true},
		{"h264 non-idr", codecH264, []byte{0x41, 0x9a}, false},
		{"h264 stap-a sps", codecH264, []byte{0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x68}, true},
		{"h264 stap-a bad len", codecH264, []byte{0x18, 0x00, 0x09, 0x67}, false},
		{"h264 fu-a idr start", codecH264, []byte{0x7c, 0x85, 0x00}, true},
		{"h264 fu-a idr middle", codecH264, []byte{0x7c, 0x05, 0x00}, false},
		{"h264 fu-a short", codecH264, []byte{0x7c}, false},
		{"opus", codecOpus, []byte{0xfc}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isKeyframeStart(tt.kind, tt.p); got != tt.want {
				t.Fatalf("isKeyframeStart = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseVP8PictureID(t *testing.T) {
	d, ok := parseVP8([]byte{0x90, 0xc0, 0x81, 0x23, 0x07, 0x00})
	if !ok || !d.hasPicID || !d.picID16 || d.pictureID != 0x0123 || d.picIDOffset != 2 {
		t.Fatalf("picture id: %+v ok=%v", d, ok)
	}
	if !d.hasTL0 || d.tl0PicIdx != 7 || d.tl0Offset != 4 || d.size != 5 {
		t.Fatalf("tl0: %+v", d)
	}
}

func FuzzKeyframe(f *testing.F) {
	f.Add(uint8(codecVP8), []byte{0x90, 0xe0, 0x05, 0x07, 0x20, 0x00})
	f.Add(uint8(codecH264), []byte{0x18, 0x00, 0x02, 0x67, 0x42})
	f.Fuzz(func(t *testing.T, k uint8, p []byte) {
		_ = isKeyframeStart(codecKind(k%4), p)
		_, _ = parseVP8(p)
	})
}
