package content_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/store/storetest"
)

// BenchmarkVideoToHLS processes a one-minute 1280×720 24 fps test video
// with audio into 360p and 720p HLS per op and reports the wall time per
// minute of video.
func BenchmarkVideoToHLS(b *testing.B) {
	ffmpeg, ffprobe, err := content.FindFFmpeg()
	testenv.Require(b, "ffmpeg and ffprobe", err)
	st := storetest.SQLite(b)
	svc, course, teacher, _ := newService(b, st, content.WithVideoProcessing(true))
	video := makeVideo(b, ffmpeg, 60)
	dir := filepath.Join(b.TempDir(), "hls")
	p := content.NewProcessor(svc, dir, ffmpeg, ffprobe, nil)
	b.ResetTimer()
	var total time.Duration
	for i := range b.N {
		b.StopTimer()
		// A different name and one extra byte: a new material each op.
		m, err := svc.Add(context.Background(), content.NewMaterial{CourseID: course.ID, Name: "v.mp4", CreatedBy: teacher.ID},
			bytes.NewReader(append(bytes.Clone(video), byte(i))))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		p.Start()
		p.Wake()
		got := waitStatus(b, svc, m.ID, 20*time.Minute)
		total += time.Since(start)
		if got.Status != content.StatusReady {
			b.Fatalf("processing: %+v", got)
		}
		b.StopTimer()
		_ = os.RemoveAll(p.HLSDir(m.ID))
		b.StartTimer()
	}
	b.StopTimer()
	p.Close()
	b.ReportMetric(total.Seconds()/float64(b.N), "s/min-of-video")
}
