package cascade_test

import (
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// BenchmarkRelayPerPacket measures the CPU one cascade hop costs per
// forwarded packet: a publisher sends b.N sound packets (160 bytes, Opus
// is not gated on keyframes) in tens with a 1 ms sleep between (at most
// 10 000 a second; the sleeps make it fewer), a student receives
// them on the origin ("direct") or on an edge ("cascade"); the process's
// CPU time per received packet is reported (cascade minus direct: the
// relay's down-track on the origin, its publishing connection and track
// on the edge). One operation is one packet sent.
func BenchmarkRelayPerPacket(b *testing.B) {
	for _, mode := range []string{"direct", "cascade"} {
		b.Run(mode, func(b *testing.B) { benchRelay(b, mode == "cascade") })
	}
}

func benchRelay(b *testing.B, cascaded bool) {
	const lesson = "bench"
	origin := newSFU(b)
	track := publishRTP(b, origin, lesson)
	var seq uint16
	var ts uint32
	payload := make([]byte, 160)
	send := func() {
		seq++
		ts += 960
		_, _ = rand.Read(payload)
		_ = track.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts}, Payload: payload})
	}
	// Pion reports a track at its first packet.
	for deadline := time.Now().Add(10 * time.Second); len(origin.Room(lesson).Tracks()) < 1; {
		if time.Now().After(deadline) {
			b.Fatal("the publisher's track never arrived")
		}
		send()
		time.Sleep(5 * time.Millisecond)
	}
	served := origin
	if cascaded {
		edge, _ := relayTo(b, origin, lesson)
		for deadline := time.Now().Add(10 * time.Second); edge.Room(lesson) == nil || len(edge.Room(lesson).Tracks()) < 1; {
			if time.Now().After(deadline) {
				b.Fatal("the relay published nothing on the edge")
			}
			send()
			time.Sleep(5 * time.Millisecond)
		}
		served = edge
	}
	var got atomic.Int64
	api, err := peer.NewAPIWith(peer.StampReceiver(peer.NewStamps(), func(peer.ReceivedPacket) { got.Add(1) }))
	if err != nil {
		b.Fatal(err)
	}
	joinWith(b, served, lesson, "student", api)
	for deadline := time.Now().Add(10 * time.Second); got.Load() < 50; {
		if time.Now().After(deadline) {
			b.Fatal("the student receives no sound")
		}
		send()
		time.Sleep(2 * time.Millisecond)
	}

	time.Sleep(200 * time.Millisecond)
	start := got.Load()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		send()
		if i%10 == 9 {
			time.Sleep(time.Millisecond)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); got.Load()-start < int64(b.N) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	n := got.Load() - start
	if n == 0 {
		b.Fatal("nothing received")
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/pkt")
	b.ReportMetric(100*float64(n)/float64(b.N), "received-%")
}

// publishRTP publishes one Opus track in room from a raw Pion connection
// and returns it, for packets written by hand.
func publishRTP(b *testing.B, s *sfu.SFU, room string) *webrtc.TrackLocalStaticRTP {
	b.Helper()
	pc := peer.Conn(b)
	track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", "teacher")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pc.AddTrack(track); err != nil {
		b.Fatal(err)
	}
	peer.PublishesTo(b, teacherIn(b, s, room), pc, nil)
	return track
}
