package sfu

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/transport/v5/packetio"
)

// A sending connection's RTCP (a subscriber's or a WHEP player's) is
// handled where SRTCP decrypts it. Pion's SRTCP session writes each
// decrypted packet of a compound, one by one, into the read buffer of
// every SSRC the packet is addressed to, creating the buffer with the
// SettingEngine's BufferFactory; rtcpRoutes.bufferFactory makes those
// buffers sinks that act on the packet at once, on the session's one read
// goroutine, so a connection's RTCP is handled serially and without a
// goroutine or a hand-off per down-track.
//
// This matters beyond the cost: a receiver addresses each transport-cc
// report to the SSRC of the last packet it got, which during a padding
// probe (probe.go) is the RTX SSRC. Pion's RTPSender reads RTCP only for
// its media SSRC; what is addressed to the RTX SSRC went to a stream
// nobody read, and the estimator was blind for the length of a probe.

// rtcpRoutes is one connection's RTCP handling: its SSRC → down-track
// lookup (media and RTX SSRCs), its estimator and its receiver-report
// handler.
type rtcpRoutes struct {
	est      *bwEstimator               // transport-cc goes here (nil: none)
	onReport func(rtcp.ReceptionReport) // nil: reports ignored
	ctr      *counters                  // never nil

	mu     sync.Mutex                            // serialises changes of bySSRC
	bySSRC atomic.Pointer[map[uint32]*DownTrack] // copy-on-write
}

func newRTCPRoutes(est *bwEstimator, onReport func(rtcp.ReceptionReport), ctr *counters) *rtcpRoutes {
	return &rtcpRoutes{est: est, onReport: onReport, ctr: ctrOf(ctr)}
}

// add routes the RTCP addressed to ssrc and rtx (0: none) to d.
func (r *rtcpRoutes) add(d *DownTrack, ssrc, rtx uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.copyLocked()
	m[ssrc] = d
	if rtx != 0 {
		m[rtx] = d
	}
	r.bySSRC.Store(&m)
}

// remove drops every route to d.
func (r *rtcpRoutes) remove(d *DownTrack) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.copyLocked()
	for ssrc, x := range m {
		if x == d {
			delete(m, ssrc)
		}
	}
	r.bySSRC.Store(&m)
}

func (r *rtcpRoutes) copyLocked() map[uint32]*DownTrack {
	old := r.bySSRC.Load()
	m := make(map[uint32]*DownTrack, 2)
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	return m
}

// down returns the down-track that sends on ssrc, nil if none.
func (r *rtcpRoutes) down(ssrc uint32) *DownTrack {
	if m := r.bySSRC.Load(); m != nil {
		return (*m)[ssrc]
	}
	return nil
}

// bufferFactory is the connection's SettingEngine.BufferFactory: a sink
// for each RTCP stream, and for RTP the buffer SRTP makes by default
// (sending connections receive no RTP, but a stray stream stays correct).
func (r *rtcpRoutes) bufferFactory(kind packetio.BufferPacketType, ssrc uint32) io.ReadWriteCloser {
	if kind == packetio.RTCPBufferPacket {
		return &rtcpSink{r: r, ssrc: ssrc, done: make(chan struct{})}
	}
	b := packetio.NewBuffer()
	b.SetLimitSize(rtpBufferSize)
	return rtpBuffer{b}
}

// rtpBufferSize is SRTP's own limit for an RTP stream's buffer.
const rtpBufferSize = 1000 * 1000

// rtpBuffer adapts a packetio.Buffer to io.ReadWriteCloser, keeping the
// packets' attributes as SRTP's own buffer does.
type rtpBuffer struct{ *packetio.Buffer }

func (b rtpBuffer) Read(p []byte) (int, error) {
	n, _, err := b.Buffer.Read(p, nil)
	return n, err
}

func (b rtpBuffer) Write(p []byte) (int, error) { return b.Buffer.Write(p, nil) }

func (b rtpBuffer) ReadWithAttributes(p []byte, a packetio.Attributes) (int, packetio.Attributes, error) {
	return b.Buffer.Read(p, a)
}

func (b rtpBuffer) WriteWithAttributes(p []byte, a packetio.Attributes) (int, error) {
	return b.Buffer.Write(p, a)
}

// rtcpSink receives the RTCP packets addressed to one SSRC. Write is
// called by the SRTCP session's read goroutine only; the parsed packets
// are kept in the sink for reuse, never the bytes written.
type rtcpSink struct {
	r    *rtcpRoutes
	ssrc uint32

	once sync.Once
	done chan struct{} // closed by Close

	// Reused by Write.
	nack rtcp.TransportLayerNack
	tcc  tccParser
	rr   rtcp.ReceiverReport
	pli  rtcp.PictureLossIndication
}

// Read blocks until Close: the packets were handled when written.
func (k *rtcpSink) Read([]byte) (int, error) {
	<-k.done
	return 0, io.EOF
}

// Close ends Read; it may be called more than once.
func (k *rtcpSink) Close() error {
	k.once.Do(func() { close(k.done) })
	return nil
}

// Write handles one RTCP packet (not a compound) addressed to the sink's
// SSRC. A malformed packet is dropped and counted; it never fails the
// session's read.
func (k *rtcpSink) Write(b []byte) (int, error) {
	select {
	case <-k.done:
		return 0, io.ErrClosedPipe
	default:
	}
	if !k.handle(b) {
		k.r.ctr.rtcpBad.Add(1)
	}
	return len(b), nil
}

// handle acts on one packet; it reports false when it was malformed.
func (k *rtcpSink) handle(b []byte) bool {
	var h rtcp.Header
	if err := h.Unmarshal(b); err != nil {
		return false
	}
	r := k.r
	switch {
	case h.Type == rtcp.TypeTransportSpecificFeedback && h.Count == rtcp.FormatTCC:
		if r.est == nil {
			return true
		}
		// Transport-wide: whatever SSRC it names.
		fb, err := k.tcc.parse(b)
		if err != nil {
			return false
		}
		r.est.onFeedback(fb, time.Now())
	case h.Type == rtcp.TypeTransportSpecificFeedback && h.Count == rtcp.FormatTLN:
		k.nack = rtcp.TransportLayerNack{Nacks: k.nack.Nacks[:0]}
		if k.nack.Unmarshal(b) != nil {
			return false
		}
		r.ctr.nacks.Add(1)
		// A NACK names lost packets of the media SSRC it is addressed to;
		// retransmit ignores one addressed to the RTX SSRC, whose
		// sequence numbers are not the media's.
		if d := r.down(k.ssrc); d != nil {
			d.retransmit(&k.nack)
		}
	case h.Type == rtcp.TypePayloadSpecificFeedback && h.Count == rtcp.FormatPLI:
		if k.pli.Unmarshal(b) != nil {
			return false
		}
		if d := r.down(k.ssrc); d != nil {
			d.requestKeyframe()
		}
	case h.Type == rtcp.TypePayloadSpecificFeedback && h.Count == rtcp.FormatFIR:
		// SRTCP hands a FIR to each SSRC among its entries: no need to
		// parse them here.
		if d := r.down(k.ssrc); d != nil {
			d.requestKeyframe()
		}
	case h.Type == rtcp.TypeReceiverReport:
		k.rr = rtcp.ReceiverReport{Reports: k.rr.Reports[:0]}
		err := k.rr.Unmarshal(b)
		k.rr.ProfileExtensions = nil // points into b
		if err != nil {
			return false
		}
		if r.onReport == nil {
			return true
		}
		// SRTCP hands the report to each SSRC among its blocks: take
		// this sink's block only, so each block counts once.
		for _, rep := range k.rr.Reports {
			if rep.SSRC == k.ssrc {
				r.onReport(rep)
			}
		}
	}
	return true
}
