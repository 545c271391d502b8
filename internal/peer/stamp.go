package peer

import (
	"encoding/binary"
	"net"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Forwarding delay is measured without touching what is sent: the SFU
// rewrites SSRC, sequence number and timestamp, strips header extensions,
// and may rewrite the VP8 payload descriptor, but it never changes a
// payload's length or its coded bytes. So the publisher's side records, per
// packet, the time it was handed to the transport under a key made of the
// payload's length and its last bytes; the subscriber's side, in the same
// process and on the same monotonic clock, looks the key up when the
// decrypted packet comes out of its transport. The payload is not marked,
// so decoders see exactly the encoder's bytes.

// stampTail is how many trailing payload bytes go into a key. Coded video
// and audio bytes are close to random, so 24 bytes and the length do not
// collide in practice; a clip that loops overwrites its earlier entries.
const stampTail = 24

// stampShards spreads the table's lock.
const stampShards = 32

// maxStampsPerShard bounds memory when the media never repeats.
const maxStampsPerShard = 1 << 14

// Stamps records when packets were sent, for the receivers of the same
// process to work out how long they took. It is safe for concurrent use.
type Stamps struct {
	epoch  time.Time
	shards [stampShards]stampShard
}

type stampShard struct {
	mu sync.RWMutex // guards m
	m  map[uint64]Stamp
}

// Stamp is what the sender recorded of one packet.
type Stamp struct {
	At   time.Duration // since the Stamps' epoch
	SSRC uint32        // the sender's SSRC (tells simulcast layers apart)
}

// NewStamps returns an empty table.
func NewStamps() *Stamps {
	s := &Stamps{epoch: time.Now()}
	for i := range s.shards {
		s.shards[i].m = map[uint64]Stamp{}
	}
	return s
}

// Now is the table's clock.
func (s *Stamps) Now() time.Duration { return time.Since(s.epoch) }

// stampKey hashes a payload's length and tail (FNV-1a). ok is false for
// payloads too short to tell apart (e.g. Opus DTX).
func stampKey(payload []byte) (uint64, bool) {
	if len(payload) < 8 {
		return 0, false
	}
	tail := payload
	if len(tail) > stampTail {
		tail = tail[len(tail)-stampTail:]
	}
	h := uint64(14695981039346656037)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(payload)))
	for _, b := range n {
		h = (h ^ uint64(b)) * 1099511628211
	}
	for _, b := range tail {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h, true
}

// Sent records that payload leaves now on ssrc.
func (s *Stamps) Sent(payload []byte, ssrc uint32) {
	k, ok := stampKey(payload)
	if !ok {
		return
	}
	sh := &s.shards[k%stampShards]
	st := Stamp{At: s.Now(), SSRC: ssrc}
	sh.mu.Lock()
	if len(sh.m) >= maxStampsPerShard {
		clear(sh.m)
	}
	sh.m[k] = st
	sh.mu.Unlock()
}

// Lookup returns the stamp of a payload, if it was sent.
func (s *Stamps) Lookup(payload []byte) (Stamp, bool) {
	k, ok := stampKey(payload)
	if !ok {
		return Stamp{}, false
	}
	sh := &s.shards[k%stampShards]
	sh.mu.RLock()
	st, ok := sh.m[k]
	sh.mu.RUnlock()
	return st, ok
}

// StampSender returns an interceptor factory that records every RTP packet
// a PeerConnection sends, just before SRTP.
func StampSender(s *Stamps) interceptor.Factory { return stampFactory{s: s} }

// ReceivedPacket is one decrypted RTP packet as a receiver saw it.
type ReceivedPacket struct {
	Stream  *interceptor.StreamInfo // the remote stream (MimeType, SSRC, PayloadType)
	Header  *rtp.Header
	Payload []byte        // valid only during the call
	At      time.Duration // on the Stamps' clock
	Stamp   Stamp         // when it was sent, if Stamped
	Stamped bool
}

// StampReceiver returns an interceptor factory that calls fn for every RTP
// packet a PeerConnection receives, just after SRTP, with the sender's
// stamp when there is one. fn runs on the track's reading goroutine and
// must be quick.
func StampReceiver(s *Stamps, fn func(ReceivedPacket)) interceptor.Factory {
	return stampFactory{s: s, fn: fn}
}

type stampFactory struct {
	s  *Stamps
	fn func(ReceivedPacket)
}

func (f stampFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &stampInterceptor{s: f.s, fn: f.fn}, nil
}

type stampInterceptor struct {
	interceptor.NoOp
	s  *Stamps
	fn func(ReceivedPacket)
}

func (i *stampInterceptor) BindLocalStream(info *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	if i.fn != nil {
		return w
	}
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		i.s.Sent(payload, h.SSRC)
		return w.Write(h, payload, a)
	})
}

func (i *stampInterceptor) BindRemoteStream(info *interceptor.StreamInfo, r interceptor.RTPReader) interceptor.RTPReader {
	if i.fn == nil {
		return r
	}
	return interceptor.RTPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, a, err := r.Read(b, a)
		if err != nil {
			return n, a, err
		}
		if a == nil {
			a = interceptor.Attributes{}
		}
		h, herr := a.GetRTPHeader(b[:n])
		if herr != nil {
			return n, a, err
		}
		end := n
		if h.Padding && end > 0 {
			end -= int(b[end-1])
		}
		start := h.MarshalSize()
		if start > end {
			return n, a, err
		}
		p := ReceivedPacket{Stream: info, Header: h, Payload: b[start:end], At: i.s.Now()}
		p.Stamp, p.Stamped = i.s.Lookup(p.Payload)
		i.fn(p)
		return n, a, err
	})
}

// NewAPIWith is NewAPI with extra interceptors after the default ones.
func NewAPIWith(extra ...interceptor.Factory) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		return nil, err
	}
	for _, f := range extra {
		reg.Add(f)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(stampSettings())), nil
}

// stampSettings are NewAPI's: host candidates on 127.0.0.1 only.
func stampSettings() webrtc.SettingEngine {
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return se
}
