package sfu

import (
	"sync"
	"sync/atomic"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/logging"
	"github.com/pion/rtp"
)

// Bandwidth estimation towards subscribers: each subscriber PeerConnection
// gets its own pion/interceptor cc interceptor running Google Congestion
// Control (draft-ietf-rmcat-gcc-02) on the subscriber's TWCC feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01). The estimate
// drives the allocator (allocator.go); nothing is paced, since the
// allocator keeps what is sent within the estimate by choosing layers.

// newEstimatorFactory returns a cc interceptor factory whose one estimator
// (per PeerConnection built from it) is handed to got.
func newEstimatorFactory(initial int, lf logging.LoggerFactory, got func(cc.BandwidthEstimator)) (*cc.InterceptorFactory, error) {
	f, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
		return gcc.NewSendSideBWE(
			gcc.SendSideBWEInitialBitrate(initial),
			gcc.SendSideBWEMinBitrate(50_000),
			gcc.SendSideBWEPacer(&directPacer{}),
			gcc.WithLoggerFactory(lf),
		)
	})
	if err != nil {
		return nil, err
	}
	f.OnNewPeerConnection(func(_ string, e cc.BandwidthEstimator) { got(e) })
	return f, nil
}

// directPacer is a gcc.Pacer that sends at once. Unlike gcc.NoOpPacer it
// takes no lock per packet, and it sends packets of an SSRC it was not
// told about (what a down-track sends on its RTX SSRC: retransmissions,
// nack.go, and padding probes, probe.go) through any stream's writer:
// every writer ends in the same SRTP session, which routes by the
// header's SSRC.
type directPacer struct {
	mu      sync.Mutex // serialises changes of writers
	writers atomic.Pointer[map[uint32]interceptor.RTPWriter]
	any     atomic.Pointer[interceptor.RTPWriter]
}

func (p *directPacer) AddStream(ssrc uint32, w interceptor.RTPWriter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	next := map[uint32]interceptor.RTPWriter{ssrc: w}
	if old := p.writers.Load(); old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	p.writers.Store(&next)
	p.any.Store(&w)
}

func (p *directPacer) Write(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
	if m := p.writers.Load(); m != nil {
		if w, ok := (*m)[h.SSRC]; ok {
			return w.Write(h, payload, a)
		}
	}
	if w := p.any.Load(); w != nil {
		return (*w).Write(h, payload, a)
	}
	return 0, gcc.ErrUnknownStream
}

func (p *directPacer) SetTargetBitrate(int) {}
func (p *directPacer) Close() error         { return nil }

// attrPool hands the interceptors below it a pooled Attributes map when
// the writer above passes none, as Pion's track writer does: GCC would
// otherwise allocate one map per packet to record the TWCC extension id.
type attrPool struct {
	interceptor.NoOp
	pool sync.Pool
}

type attrPoolFactory struct{}

func (attrPoolFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &attrPool{pool: sync.Pool{New: func() any { return interceptor.Attributes{} }}}, nil
}

func (a *attrPool) BindLocalStream(_ *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, attrs interceptor.Attributes) (int, error) {
		if attrs != nil {
			return w.Write(h, payload, attrs)
		}
		attrs = a.pool.Get().(interceptor.Attributes)
		n, err := w.Write(h, payload, attrs)
		clear(attrs)
		a.pool.Put(attrs) //nolint:staticcheck // a map is a pointer
		return n, err
	})
}
