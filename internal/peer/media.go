package peer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/h264reader"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// Frame is one encoded video frame or audio packet.
type Frame struct {
	Data     []byte
	Keyframe bool
	Duration time.Duration
}

// Clip is a short loop of encoded media.
type Clip struct {
	MimeType string
	Frames   []Frame
}

// LoadIVF reads a VP8 IVF file.
func LoadIVF(path string) (Clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return Clip{}, err
	}
	defer f.Close()
	r, h, err := ivfreader.NewWith(f)
	if err != nil {
		return Clip{}, err
	}
	if string(h.FourCC[:]) != "VP80" {
		return Clip{}, fmt.Errorf("peer: %s is %q, not VP8", path, h.FourCC)
	}
	dur := time.Second * time.Duration(h.TimebaseNumerator) / time.Duration(h.TimebaseDenominator)
	if dur <= 0 || dur > time.Second {
		dur = time.Second / 30
	}
	c := Clip{MimeType: webrtc.MimeTypeVP8}
	for {
		frame, _, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Clip{}, err
		}
		c.Frames = append(c.Frames, Frame{Data: frame, Keyframe: len(frame) > 0 && frame[0]&1 == 0, Duration: dur})
	}
	if len(c.Frames) == 0 || !c.Frames[0].Keyframe {
		return Clip{}, fmt.Errorf("peer: %s does not start with a keyframe", path)
	}
	return c, nil
}

// LoadH264 reads an Annex B H.264 stream at fps frames per second, one
// access unit per frame.
func LoadH264(path string, fps int) (Clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return Clip{}, err
	}
	defer f.Close()
	r, err := h264reader.NewReader(f)
	if err != nil {
		return Clip{}, err
	}
	c := Clip{MimeType: webrtc.MimeTypeH264}
	var au bytes.Buffer
	key := false
	for {
		nal, err := r.NextNAL()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Clip{}, err
		}
		au.Write([]byte{0, 0, 0, 1})
		au.Write(nal.Data)
		switch nal.UnitType {
		case h264reader.NalUnitTypeCodedSliceIdr:
			key = true
			fallthrough
		case h264reader.NalUnitTypeCodedSliceNonIdr:
			c.Frames = append(c.Frames, Frame{Data: append([]byte(nil), au.Bytes()...), Keyframe: key, Duration: time.Second / time.Duration(fps)})
			au.Reset()
			key = false
		}
	}
	if len(c.Frames) == 0 || !c.Frames[0].Keyframe {
		return Clip{}, fmt.Errorf("peer: %s does not start with a keyframe", path)
	}
	return c, nil
}

// LoadOgg reads an Ogg Opus file, one packet per page segment group.
func LoadOgg(path string) (Clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return Clip{}, err
	}
	defer f.Close()
	r, _, err := oggreader.NewWith(f)
	if err != nil {
		return Clip{}, err
	}
	c := Clip{MimeType: webrtc.MimeTypeOpus}
	var last uint64
	for {
		page, h, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Clip{}, err
		}
		if h.GranulePosition == 0 || len(page) == 0 {
			continue // header pages
		}
		samples := h.GranulePosition - last
		last = h.GranulePosition
		c.Frames = append(c.Frames, Frame{Data: page, Keyframe: true, Duration: time.Duration(samples) * time.Second / 48000})
	}
	if len(c.Frames) == 0 {
		return Clip{}, fmt.Errorf("peer: %s has no Opus packets", path)
	}
	return c, nil
}

// play sends c's frames in real time, looping, until stop closes or send
// fails. When jump (may be nil) reports true, the clip first moves on to
// its next keyframe, as a live encoder answers a keyframe request.
func play(c Clip, stop <-chan struct{}, jump func() bool, send func(Frame) error) {
	next := time.Now()
	for i := 0; ; i = (i + 1) % len(c.Frames) {
		if jump != nil && jump() {
			for j := 1; j <= len(c.Frames); j++ {
				if k := (i + j) % len(c.Frames); c.Frames[k].Keyframe {
					i = k
					break
				}
			}
		}
		f := c.Frames[i]
		if send(f) != nil {
			return
		}
		next = next.Add(f.Duration)
		select {
		case <-stop:
			return
		case <-time.After(time.Until(next)):
		}
	}
}

// sampleWriter sends frames as media samples on a track.
func sampleWriter(t *webrtc.TrackLocalStaticSample) func(Frame) error {
	return func(f Frame) error { return t.WriteSample(media.Sample{Data: f.Data, Duration: f.Duration}) }
}
