package peer

import (
	"strings"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
)

// pacerSlice is how often a pacer sends what its budget allows, as
// libwebrtc's pacer does (5 ms).
const pacerSlice = 5 * time.Millisecond

// Pacer returns an interceptor factory that spaces the video packets a
// PeerConnection sends out at bitsPerSecond, the way a browser's pacer
// does (libwebrtc sends at 2.5 × its target bitrate, in 5 ms slices),
// instead of writing each frame's packets back to back: a keyframe of
// 40 packets leaves over tens of milliseconds, not in one burst. Audio is
// not paced (a browser does not pace it either). A packet that finds the
// queue empty and budget left is sent at once, so a small frame is not
// delayed. One pacer serves all of a connection's video streams.
//
// Register it after StampSender (NewAPIWith(StampSender(s), Pacer(r))) so
// that packets are stamped when they leave the pacer, as a receiver's
// delay should count from the wire.
func Pacer(bitsPerSecond int) interceptor.Factory { return pacerFactory{rate: bitsPerSecond} }

type pacerFactory struct{ rate int }

func (f pacerFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	p := &pacer{bytesPerSlice: float64(f.rate) / 8 * pacerSlice.Seconds(), stop: make(chan struct{})}
	p.budget = p.bytesPerSlice
	p.wg.Add(1)
	go p.run()
	return p, nil
}

type pacer struct {
	interceptor.NoOp
	bytesPerSlice float64

	mu     sync.Mutex
	budget float64 // bytes that may go now; at most one slice's worth
	queue  []pacedPacket
	closed bool

	stop chan struct{}
	wg   sync.WaitGroup
}

type pacedPacket struct {
	w       interceptor.RTPWriter
	h       rtp.Header
	payload []byte
}

func (p *pacer) BindLocalStream(info *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	if strings.HasPrefix(strings.ToLower(info.MimeType), "audio/") {
		return w
	}
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		size := h.MarshalSize() + len(payload)
		p.mu.Lock()
		if !p.closed && (len(p.queue) > 0 || p.budget <= 0) {
			p.queue = append(p.queue, pacedPacket{w: w, h: h.Clone(), payload: append([]byte(nil), payload...)})
			p.mu.Unlock()
			return size, nil
		}
		p.budget -= float64(size)
		p.mu.Unlock()
		return w.Write(h, payload, a)
	})
}

// run refills the budget every slice and sends what it allows, in order.
func (p *pacer) run() {
	defer p.wg.Done()
	t := time.NewTicker(pacerSlice)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		p.budget = min(p.budget+p.bytesPerSlice, p.bytesPerSlice)
		for len(p.queue) > 0 && p.budget > 0 {
			next := p.queue[0]
			p.queue[0] = pacedPacket{}
			p.queue = p.queue[1:]
			p.budget -= float64(next.h.MarshalSize() + len(next.payload))
			// Written under the lock: a packet that arrives meanwhile must
			// queue behind this one, not overtake it.
			_, _ = next.w.Write(&next.h, next.payload, interceptor.Attributes{})
		}
		if len(p.queue) == 0 {
			p.queue = nil
		}
		p.mu.Unlock()
	}
}

func (p *pacer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.queue = nil
	p.mu.Unlock()
	close(p.stop)
	p.wg.Wait()
	return nil
}
