package sfu_test

import (
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// srRecorder is a receiver-side interceptor that keeps, per SSRC, the
// RTP packets received (count, newest timestamp and when it came) and
// the sender reports received.
type srRecorder struct {
	interceptor.NoOp
	mu      sync.Mutex
	packets map[uint32]int
	lastTS  map[uint32]uint32
	lastAt  map[uint32]time.Time
	clock   map[uint32]uint32
	srs     map[uint32][]srSeen
}

type srSeen struct {
	sr rtcp.SenderReport
	at time.Time
}

func (r *srRecorder) NewInterceptor(string) (interceptor.Interceptor, error) { return r, nil }

func (r *srRecorder) BindRemoteStream(info *interceptor.StreamInfo, rd interceptor.RTPReader) interceptor.RTPReader {
	r.mu.Lock()
	r.clock[info.SSRC] = info.ClockRate
	r.mu.Unlock()
	return interceptor.RTPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, a, err := rd.Read(b, a)
		var h rtp.Header
		if _, uerr := h.Unmarshal(b[:n]); err == nil && uerr == nil {
			r.mu.Lock()
			r.packets[h.SSRC]++
			r.lastTS[h.SSRC], r.lastAt[h.SSRC] = h.Timestamp, time.Now()
			r.mu.Unlock()
		}
		return n, a, err
	})
}

func (r *srRecorder) BindRTCPReader(rd interceptor.RTCPReader) interceptor.RTCPReader {
	return interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, a, err := rd.Read(b, a)
		if err != nil {
			return n, a, err
		}
		pkts, perr := rtcp.Unmarshal(b[:n])
		if perr == nil {
			r.mu.Lock()
			for _, p := range pkts {
				if sr, ok := p.(*rtcp.SenderReport); ok {
					r.srs[sr.SSRC] = append(r.srs[sr.SSRC], srSeen{sr: *sr, at: time.Now()})
				}
			}
			r.mu.Unlock()
		}
		return n, a, err
	})
}

// TestSubscriberGetsSenderReports: a subscriber receives a sender report
// about every second for each stream it receives (the SFU writes them
// itself, not Pion's report interceptor): the packet count is what
// arrived, the NTP time is the wall clock, and the RTP time maps it onto
// the stream's timestamps, as lip sync needs.
func TestSubscriberGetsSenderReports(t *testing.T) {
	rec := &srRecorder{packets: map[uint32]int{}, lastTS: map[uint32]uint32{}, lastAt: map[uint32]time.Time{},
		clock: map[uint32]uint32{}, srs: map[uint32][]srSeen{}}
	api, err := peer.NewAPIWith(rec)
	if err != nil {
		t.Fatal(err)
	}
	s := newSFU(t)
	publish(t, s, "lesson-sr")
	waitTracks(t, s.Room("lesson-sr"), 2)
	c := newClientAPI(t, api)
	c.join(t, s, "lesson-sr", "student", false)
	checkReceives(t, c, "student")
	// RTCP reaches interceptors only when someone reads it, as a
	// browser always does.
	var media []uint32
	for _, r := range c.sub.PC.GetReceivers() {
		if tr := r.Track(); tr != nil {
			media = append(media, uint32(tr.SSRC()))
			go func() {
				for {
					if _, _, err := r.ReadRTCP(); err != nil {
						return
					}
				}
			}()
		}
	}
	if len(media) != 2 {
		t.Fatalf("%d media streams received, want audio and video", len(media))
	}

	// Three reports per stream, then compare.
	deadline := time.Now().Add(6 * time.Second)
	for {
		rec.mu.Lock()
		ready := true
		for _, ssrc := range media {
			ready = ready && len(rec.srs[ssrc]) >= 3
		}
		n := len(rec.srs)
		rec.mu.Unlock()
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 6 s, sender reports for %d SSRCs, want three each for %v", n, media)
		}
		time.Sleep(100 * time.Millisecond)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, ssrc := range media {
		rate := rec.clock[ssrc]
		seen := rec.srs[ssrc]
		last := seen[len(seen)-1]
		if last.sr.PacketCount == 0 || int(last.sr.PacketCount) > rec.packets[ssrc] {
			t.Errorf("ssrc %d: report counts %d packets, %d arrived", ssrc, last.sr.PacketCount, rec.packets[ssrc])
		}
		if last.sr.OctetCount < last.sr.PacketCount {
			t.Errorf("ssrc %d: %d octets in %d packets", ssrc, last.sr.OctetCount, last.sr.PacketCount)
		}
		ntp := time.Unix(int64(last.sr.NTPTime>>32)-2208988800, int64((last.sr.NTPTime&0xffffffff)*1e9>>32))
		if d := last.at.Sub(ntp); d < -50*time.Millisecond || d > 500*time.Millisecond {
			t.Errorf("ssrc %d: report's NTP time %v off the clock by %v", ssrc, ntp, d)
		}
		// The RTP time of the report, moved to when the newest packet
		// came, is that packet's timestamp (within a frame's jitter).
		at := rec.lastAt[ssrc]
		want := int64(rec.lastTS[ssrc])
		got := int64(last.sr.RTPTime) + at.Sub(ntp).Nanoseconds()*int64(rate)/1e9
		if d := int32(uint32(got) - uint32(want)); d < -int32(rate/10) || d > int32(rate/10) {
			t.Errorf("ssrc %d: report maps %v to RTP %d; the packet that came at %v has %d (%d ticks apart)",
				ssrc, ntp, last.sr.RTPTime, at, rec.lastTS[ssrc], d)
		}
		for i := 1; i < len(seen); i++ {
			gap := seen[i].at.Sub(seen[i-1].at)
			if gap < 500*time.Millisecond || gap > 1500*time.Millisecond {
				t.Errorf("ssrc %d: reports %v apart, want about 1 s", ssrc, gap)
			}
		}
	}
}
