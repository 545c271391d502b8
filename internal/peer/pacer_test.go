package peer

import (
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
)

// TestPacerSpacesVideoAndPassesAudio: a burst of video leaves in order,
// whole, and no faster than the pacer's rate allows (a lower bound, which
// a slow machine only lengthens); audio written meanwhile is not held.
func TestPacerSpacesVideoAndPassesAudio(t *testing.T) {
	const rate = 800_000 // bits per second: 100 bytes per ms
	i, err := Pacer(rate).NewInterceptor("")
	if err != nil {
		t.Fatal(err)
	}
	defer i.Close()
	type sent struct {
		seq uint16
		at  time.Time
	}
	var mu sync.Mutex
	var video []sent
	done := make(chan struct{})
	const packets, size = 40, 1000
	vw := i.BindLocalStream(&interceptor.StreamInfo{SSRC: 1, MimeType: "video/VP8"},
		interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, _ interceptor.Attributes) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			if len(payload) != size || payload[0] != byte(h.SequenceNumber) {
				t.Errorf("packet %d: %d bytes starting %d", h.SequenceNumber, len(payload), payload[0])
			}
			video = append(video, sent{h.SequenceNumber, time.Now()})
			if len(video) == packets {
				close(done)
			}
			return len(payload), nil
		}))
	audio := 0
	aw := i.BindLocalStream(&interceptor.StreamInfo{SSRC: 2, MimeType: "audio/opus"},
		interceptor.RTPWriterFunc(func(*rtp.Header, []byte, interceptor.Attributes) (int, error) {
			audio++
			return 0, nil
		}))
	start := time.Now()
	buf := make([]byte, size)
	for seq := range uint16(packets) {
		for j := range buf {
			buf[j] = byte(seq) // the caller reuses its buffer: the pacer must copy
		}
		if _, err := vw.Write(&rtp.Header{SSRC: 1, SequenceNumber: seq}, buf, nil); err != nil {
			t.Fatal(err)
		}
		if seq == 0 {
			mu.Lock()
			n := len(video)
			mu.Unlock()
			if n != 1 {
				t.Fatal("the first packet, with budget left, was not sent at once")
			}
		}
	}
	if _, err := aw.Write(&rtp.Header{SSRC: 2}, []byte{1}, nil); err != nil || audio != 1 {
		t.Fatalf("audio behind a full video queue: written %d times, %v", audio, err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		mu.Lock()
		t.Fatalf("%d of %d video packets left the pacer in 10 s", len(video), packets)
	}
	mu.Lock()
	defer mu.Unlock()
	for k, s := range video {
		if s.seq != uint16(k) {
			t.Fatalf("packet %d left as number %d: out of order", s.seq, k)
		}
	}
	// 40,000 bytes at 100 bytes per ms take about 400 ms; allow for a
	// slice of budget up front and ticks read late.
	if took := video[packets-1].at.Sub(start); took < 300*time.Millisecond {
		t.Fatalf("40 kB left in %v at 800 kbps: not paced", took)
	}
}
