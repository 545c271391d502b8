package sfu_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/pion/webrtc/v4"
)

// BenchmarkJoinToFirstFrameDeafPublisher joins students one after another,
// at times spread over the GOP, to a publisher that never answers keyframe
// requests (the clip's GOP is 1 s), and reports p50 and p99 of join (the
// SFU Join call) to the first whole keyframe decoded on loopback. Without
// a keyframe cache this is about half the GOP.
func BenchmarkJoinToFirstFrameDeafPublisher(b *testing.B) {
	s := newSFU(b)
	pub, err := peer.NewTeacher()
	if err != nil {
		b.Fatal(err)
	}
	pub.IgnorePLIs = true
	publishWith(b, s, "join-deaf", pub)
	time.Sleep(1500 * time.Millisecond)
	var waits []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := newClient(b)
		start := time.Now()
		c.join(b, s, "join-deaf", "s"+strconv.Itoa(i), false)
		v := c.sub.WaitTrack(webrtc.RTPCodecTypeVideo, 5*time.Second)
		if v == nil || !v.WaitKeyframe(5*time.Second) {
			b.Fatal("no keyframe")
		}
		waits = append(waits, v.Stats().FirstKeyframeAt.Sub(start))
		c.close()
		// Spread the next join over the GOP.
		time.Sleep(time.Duration(137*(i%7)) * time.Millisecond)
	}
	b.StopTimer()
	slices.Sort(waits)
	b.ReportMetric(float64(waits[len(waits)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(waits[(len(waits)*99)/100].Microseconds())/1000, "p99-ms")
}
