package rtmpingest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

// bridge publishes an RTMP stream into the SFU as a WebRTC publisher in
// the same process: H.264 samples as they come, Opus from the transcoder.
type bridge struct {
	part  *sfu.Participant
	pc    *webrtc.PeerConnection
	video *webrtc.TrackLocalStaticSample
	audio *webrtc.TrackLocalStaticSample // nil without audio

	sps, pps []byte
	lastDTS  time.Duration
	started  bool

	wg sync.WaitGroup
}

func newBridgeAPI() (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// profileLevelID names the SFU's H.264 format that carries a stream with
// this SPS: Constrained Baseline, Baseline, or High (which also decodes
// Main).
func profileLevelID(sps []byte) string {
	if len(sps) >= 3 && sps[1] == 66 {
		if sps[2]&0x40 != 0 {
			return "42e01f"
		}
		return "42001f"
	}
	return "640c1f"
}

func newBridge(api *webrtc.API, s *sfu.SFU, lesson, user string, sps, pps []byte, withAudio bool) (*bridge, error) {
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	part, err := s.Join(lesson, sfu.ParticipantConfig{ID: "rtmp:" + user + ":" + hex.EncodeToString(rnd[:]), Publish: true, Priority: 10})
	if err != nil {
		return nil, err
	}
	b := &bridge{part: part, sps: sps, pps: pps}
	fail := func(err error) (*bridge, error) {
		b.close()
		return nil, err
	}
	if b.pc, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		part.Close()
		return nil, err
	}
	b.video, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
		SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=" + profileLevelID(sps)}, "rtmp-camera", "rtmp")
	if err != nil {
		return fail(err)
	}
	sources := map[string]sfu.Source{"rtmp-camera": sfu.SourceCamera}
	tracks := []*webrtc.TrackLocalStaticSample{b.video}
	if withAudio {
		b.audio, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "rtmp-microphone", "rtmp")
		if err != nil {
			return fail(err)
		}
		sources["rtmp-microphone"] = sfu.SourceMicrophone
		tracks = append(tracks, b.audio)
	}
	for _, t := range tracks {
		tr, err := b.pc.AddTransceiverFromTrack(t, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			return fail(err)
		}
		b.wg.Add(1)
		go b.drainRTCP(tr.Sender())
	}
	offer, err := b.pc.CreateOffer(nil)
	if err != nil {
		return fail(err)
	}
	gathered := webrtc.GatheringCompletePromise(b.pc)
	if err := b.pc.SetLocalDescription(offer); err != nil {
		return fail(err)
	}
	<-gathered
	answer, err := part.Publish(b.pc.LocalDescription().SDP, sources)
	if err != nil {
		return fail(fmt.Errorf("publishing into the lesson: %w", err))
	}
	if err := b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		return fail(err)
	}
	return b, nil
}

// drainRTCP reads the sender's RTCP (PLIs cannot be honoured: an RTMP
// encoder sends keyframes at its own interval).
func (b *bridge) drainRTCP(s *webrtc.RTPSender) {
	defer b.wg.Done()
	for {
		if _, _, err := s.ReadRTCP(); err != nil {
			return
		}
	}
}

// writeVideo sends one access unit; SPS and PPS (sent once in RTMP's
// sequence header) go in front of every IDR so that any subscriber can
// start there.
func (b *bridge) writeVideo(dts time.Duration, au [][]byte) error {
	idr, hasSPS := false, false
	for _, n := range au {
		if len(n) == 0 {
			continue
		}
		switch h264.NALUType(n[0] & 0x1f) {
		case h264.NALUTypeIDR:
			idr = true
		case h264.NALUTypeSPS:
			hasSPS = true
		}
	}
	if !b.started && !idr {
		return nil
	}
	if idr && !hasSPS && b.sps != nil && b.pps != nil {
		au = append([][]byte{b.sps, b.pps}, au...)
	}
	d := 33 * time.Millisecond
	if b.started && dts > b.lastDTS {
		d = dts - b.lastDTS
	}
	b.started, b.lastDTS = true, dts
	buf, err := h264.AnnexB(au).Marshal()
	if err != nil {
		return err
	}
	return b.video.WriteSample(media.Sample{Data: buf, Duration: d})
}

// writeOpus sends one Opus packet of duration d.
func (b *bridge) writeOpus(pkt []byte, d time.Duration) error {
	if b.audio == nil {
		return nil
	}
	return b.audio.WriteSample(media.Sample{Data: pkt, Duration: d})
}

// close ends the publication: the tracks leave the lesson, which goes on.
func (b *bridge) close() {
	if b.part != nil {
		b.part.Close()
	}
	if b.pc != nil {
		_ = b.pc.Close()
	}
	b.wg.Wait()
}
