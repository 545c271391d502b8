package recorder

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluenviron/gohlslib/v2"
	"github.com/bluenviron/gohlslib/v2/pkg/playlist"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/h264reader"
)

const benchSeconds = 10

// benchClip makes 10 s of 1280x720 30 fps H.264 at about 1.5 Mbps (a
// teacher's top layer) with ffmpeg and packetises it as a browser would.
func benchClip(b *testing.B) []*sfu.TapPacket {
	b.Helper()
	bin, err := exec.LookPath("ffmpeg")
	testenv.Require(b, "ffmpeg", err)
	path := filepath.Join(b.TempDir(), "clip.h264")
	out, err := exec.Command(bin, "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
		"-t", "10", "-c:v", "libx264", "-profile:v", "baseline", "-preset", "veryfast", "-b:v", "1500k", "-maxrate", "1500k",
		"-bufsize", "1500k", "-g", "60", "-bf", "0", "-pix_fmt", "yuv420p", "-f", "h264", path).CombinedOutput()
	if err != nil {
		b.Fatalf("ffmpeg: %v %s", err, out)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	r, err := h264reader.NewReader(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	codec := webrtc.RTPCodecParameters{PayloadType: 102, RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000}}
	pz := rtp.NewPacketizer(1200, 102, 1, &codecs.H264Payloader{}, rtp.NewRandomSequencer(), 90000)
	var pkts []*sfu.TapPacket
	var au []byte
	flush := func() {
		for _, p := range pz.Packetize(au, 3000) {
			tp := &sfu.TapPacket{Kind: webrtc.RTPCodecTypeVideo, Codec: codec, Header: p.Header, Payload: p.Payload}
			pkts = append(pkts, tp)
		}
		au = au[:0]
	}
	for {
		nal, err := r.NextNAL()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		au = append(au, 0, 0, 0, 1)
		au = append(au, nal.Data...)
		if nal.UnitType == h264reader.NalUnitTypeCodedSliceIdr || nal.UnitType == h264reader.NalUnitTypeCodedSliceNonIdr {
			flush()
		}
	}
	return pkts
}

// BenchmarkRecorderCPU: the recorder's work for 10 s of a teacher's
// 720p 1.5 Mbps H.264 (depacketising and fMP4 LL-HLS muxing; not the disk
// copy). cpu/lesson is the share of one core a lesson's recorder takes.
//
//	go test ./recorder -run '^$' -bench RecorderCPU -benchtime 5x
func BenchmarkRecorderCPU(b *testing.B) {
	pkts := benchClip(b)
	s, err := sfu.New(sfu.Config{Loopback: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rec := &Recorder{log: slog.New(slog.DiscardHandler)}
	var bytesOut int64
	var secs float64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ss := &session{r: rec, lesson: "bench", log: rec.log, tap: s.Tap("bench-none")}
		for _, p := range pkts {
			ss.handle(p)
		}
		b.StopTimer()
		if m := ss.muxer.Load(); m != nil {
			bytesOut, secs = muxedBytes(b, m)
			m.Close()
		}
		ss.tap.Close()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(benchSeconds*time.Second), "cpu/lesson")
	b.ReportMetric(float64(bytesOut)/secs*3600/1e9, "GB/hour")
}

// muxedBytes sums the size and duration of the segments the muxer holds
// (its window).
func muxedBytes(b *testing.B, m *gohlslib.Muxer) (int64, float64) {
	raw, err := fetch(m, "video1_stream.m3u8")
	if err != nil {
		b.Fatal(err)
	}
	var pl playlist.Media
	if err := pl.Unmarshal(raw); err != nil {
		b.Fatal(err)
	}
	var n int64
	var d time.Duration
	for _, seg := range pl.Segments {
		if seg.Gap {
			continue
		}
		body, err := fetch(m, seg.URI)
		if err != nil {
			b.Fatal(err)
		}
		n += int64(len(body))
		d += seg.Duration
	}
	return n, d.Seconds()
}
