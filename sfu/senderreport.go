package sfu

import (
	"time"

	"github.com/pion/rtcp"
)

// Sender reports towards subscribers (RFC 3550 §6.4.1). The subscriber's
// controller goroutine writes them for all of a subscriber's down-tracks
// at once, in one compound RTCP packet every srInterval (one report per
// SSRC, aggregated as RFC 8108 §5.3 allows), from the figures
// the down-tracks keep anyway. Pion's report interceptor would do the same
// with a lock and a clock reading per packet sent, and a goroutine and a
// write per stream; its receiver half has nothing to do on a connection
// that receives no media.

// srInterval is how often a subscriber's down-tracks report what they
// sent (Pion's default too).
const srInterval = time.Second

// ntpEpochOffset is the seconds from 1900 (NTP's epoch) to 1970.
const ntpEpochOffset = 2208988800

// ntpTime is t as a 64-bit NTP timestamp (seconds since 1900, 32.32).
func ntpTime(t time.Time) uint64 {
	return (uint64(t.Unix())+ntpEpochOffset)<<32 | uint64(t.Nanosecond())<<32/1e9
}

// senderReport describes what d has sent on its media SSRC, at now: the
// RTP timestamp is the newest packet's, moved on by the time since it
// was sent. ok is false before the first packet.
func (d *DownTrack) senderReport(now time.Time) (sr rtcp.SenderReport, ok bool) {
	b := d.bound.Load()
	if b == nil {
		return sr, false
	}
	d.mu.Lock()
	started, ts := d.rw.started, d.rw.lastTS+d.rw.elapsedTS(now.UnixNano())
	d.mu.Unlock()
	if !started {
		return sr, false
	}
	sent, bytes := d.sent.Load(), d.bytes.Load()
	return rtcp.SenderReport{
		SSRC:        b.ssrc,
		NTPTime:     ntpTime(now),
		RTPTime:     ts,
		PacketCount: uint32(sent),
		OctetCount:  uint32(bytes - 12*sent), // payload only: bytes counts each header's 12
	}, true
}

// sendReports writes a sender report for each of the subscriber's
// down-tracks that has sent something. Only allocLoop calls it.
func (s *subscriber) sendReports(now time.Time) {
	s.mu.Lock()
	for _, sub := range s.downs {
		if sr, ok := sub.down.senderReport(now); ok {
			s.srs = append(s.srs, sr)
		}
	}
	s.mu.Unlock()
	if len(s.srs) == 0 {
		return
	}
	pkts := make([]rtcp.Packet, len(s.srs))
	for i := range s.srs {
		pkts[i] = &s.srs[i]
	}
	_ = s.pc.WriteRTCP(pkts)
	s.srs = s.srs[:0]
}
