package sfu

import (
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// BenchmarkForwardPion is BenchmarkForward through real Pion subscriber
// connections: the SFU's interceptor (TWCC sequence numbers and the
// estimator's send history, estimator.go), SRTP and one sendto per packet per subscriber on the shared
// ICE UDP socket, to Pion receivers in the same process over loopback.
// The receivers decrypt on the other core, so ns/pkt/sub is an upper
// bound; allocs/op counts the whole process, receivers included: use
// -memprofile to see which side allocates.
//
//	go test ./sfu -run '^$' -bench ForwardPion -benchmem -memprofile mem.out
func BenchmarkForwardPion(b *testing.B) {
	s, err := New(Config{ICEUDPAddr: "127.0.0.1:0", Loopback: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	pkts := benchPackets(b, 1111, 0)
	for _, batch := range []bool{false, true} {
		for _, n := range []int{1, 10, 50} {
			name := "sendto/subs=" + strconv.Itoa(n)
			if batch {
				name = "sendmmsg/subs=" + strconv.Itoa(n)
			}
			b.Run(name, func(b *testing.B) { benchForwardPion(b, s, pkts, n, batch) })
		}
	}
}

// benchForwardPion forwards through n Pion subscribers; batch sends each
// packet's fan-out through the UDP mux's batchConn (sendmmsg), as
// Track.forward does in the server.
func benchForwardPion(b *testing.B, s *SFU, pkts []*rtp.Packet, n int, batch bool) {
	{
		{
			t, _ := benchTrack(0, vp8Codec, nil)
			if batch {
				t.fan = fanout{s.batch}
			}
			calls0, batched0 := s.batch.calls.Load(), s.batch.batched.Load()
			var closers []func()
			defer func() {
				for _, c := range closers {
					c()
				}
			}()
			for i := 0; i < n; i++ {
				d, closeFn := pionSubscriber(b, s, t)
				closers = append(closers, closeFn)
				t.addDown(d)
			}
			runForward(b, t, t.layers[0].Load(), pkts, n)
			if calls := s.batch.calls.Load() - calls0; calls > 0 {
				b.ReportMetric(float64(s.batch.batched.Load()-batched0)/float64(calls), "pkts/sendmmsg")
			}
		}
	}
}

// pionSubscriber connects one SFU subscriber PeerConnection carrying a
// down-track of t to a Pion receiver, and waits until it is up.
func pionSubscriber(b testing.TB, s *SFU, t *Track) (*DownTrack, func()) {
	b.Helper()
	// The subscriber's own interceptors, the estimator included, as
	// newSubscriber builds them: its send history is part of every
	// packet's cost.
	routes := newRTCPRoutes(newBWEstimator(s.cfg.InitialBitrate, nil), nil, &s.ctr)
	api, err := newSubscriberAPI(s.se, true, routes)
	if err != nil {
		b.Fatal(err)
	}
	spc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatal(err)
	}
	connected := new(atomic.Bool)
	up := make(chan struct{})
	spc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected && !connected.Swap(true) {
			close(up)
		}
	})
	d := newDownTrack(t, "p_bench", connected)
	d.routes = routes // its RTCP handled as a subscriber's is
	if _, err := spc.AddTrack(d); err != nil {
		b.Fatal(err)
	}
	cpc := receiverPC(b)
	cpc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		buf := make([]byte, 1500)
		for {
			if _, _, err := tr.Read(buf); err != nil {
				return
			}
		}
	})
	offer, err := spc.CreateOffer(nil)
	if err != nil {
		b.Fatal(err)
	}
	g := webrtc.GatheringCompletePromise(spc)
	if err := spc.SetLocalDescription(offer); err != nil {
		b.Fatal(err)
	}
	<-g
	if err := cpc.SetRemoteDescription(*spc.LocalDescription()); err != nil {
		b.Fatal(err)
	}
	ans, err := cpc.CreateAnswer(nil)
	if err != nil {
		b.Fatal(err)
	}
	g = webrtc.GatheringCompletePromise(cpc)
	if err := cpc.SetLocalDescription(ans); err != nil {
		b.Fatal(err)
	}
	<-g
	if err := spc.SetRemoteDescription(*cpc.LocalDescription()); err != nil {
		b.Fatal(err)
	}
	select {
	case <-up:
	case <-time.After(10 * time.Second):
		b.Fatal("subscriber connection never came up")
	}
	return d, func() { _ = spc.Close(); _ = cpc.Close() }
}

// receiverPC is a browser-like Pion receiver on 127.0.0.1.
func receiverPC(b testing.TB) *webrtc.PeerConnection {
	b.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		b.Fatal(err)
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		b.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)).
		NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatal(err)
	}
	return pc
}
