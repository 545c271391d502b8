package sfu

import (
	"strconv"
	"testing"

	"github.com/pion/webrtc/v4"
)

// BenchmarkForwardWithTap is BenchmarkForward's vp8/marshal case with and
// without a recorder's tap attached to the track, its consumer draining the
// tap on another goroutine as the recorder does:
//
//	go test ./sfu -run '^$' -bench ForwardWithTap -benchmem
func BenchmarkForwardWithTap(b *testing.B) {
	video := benchPackets(b, 1111, 0)
	for _, tapped := range []bool{false, true} {
		for _, n := range []int{1, 100} {
			b.Run("tap="+strconv.FormatBool(tapped)+"/subs="+strconv.Itoa(n), func(b *testing.B) {
				t, _ := benchTrack(n, vp8Codec, func(int) webrtc.TrackLocalWriter { return &marshalWriter{buf: make([]byte, 1500)} })
				var tap *Tap
				if tapped {
					tap = &Tap{free: make(chan *TapPacket, tapSlots), out: make(chan *TapPacket, tapSlots), done: make(chan struct{})}
					for range tapSlots {
						tap.free <- &TapPacket{}
					}
					tap.connected.Store(true)
					d := newPlayerDownTrack("tap", "bench", webrtc.RTPCodecTypeVideo, vp8Codec, &tap.connected, nil)
					d.bound.Store(&binding{ssrc: 1, pt: 96, w: &tapWriter{t: tap, kind: webrtc.RTPCodecTypeVideo, codec: vp8Codec}})
					d.switchTo(t)
					drained := make(chan struct{})
					go func() {
						defer close(drained)
						for {
							select {
							case p := <-tap.out:
								tap.Release(p)
							case <-tap.done:
								return
							}
						}
					}()
					defer func() { close(tap.done); <-drained }()
				}
				runForward(b, t, t.layers[0].Load(), video, n)
				if tap != nil {
					b.ReportMetric(float64(tap.Dropped()), "tap-dropped")
				}
			})
		}
	}
}
