package sfu

import (
	"strconv"
	"strings"

	"github.com/pion/interceptor"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Header extensions negotiated with every peer.
const (
	extAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level" // RFC 6464
	extTWCC       = sdp.TransportCCURI
)

var videoFeedback = []webrtc.RTCPFeedback{
	{Type: "goog-remb"},
	{Type: webrtc.TypeRTCPFBTransportCC},
	{Type: webrtc.TypeRTCPFBCCM, Parameter: "fir"},
	{Type: webrtc.TypeRTCPFBNACK},
	{Type: webrtc.TypeRTCPFBNACK, Parameter: "pli"},
}

// codecs are the codecs Lectern forwards: Opus, VP8 and H.264 (the
// recorder needs H.264), each video codec with RTX (RFC 4588).
var codecs = []struct {
	params webrtc.RTPCodecParameters
	kind   webrtc.RTPCodecType
}{
	{webrtc.RTPCodecParameters{PayloadType: 111, RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1",
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: webrtc.TypeRTCPFBTransportCC}}}}, webrtc.RTPCodecTypeAudio},
	{vp(96, webrtc.MimeTypeVP8, ""), webrtc.RTPCodecTypeVideo},
	{rtx(97, 96), webrtc.RTPCodecTypeVideo},
	{vp(102, webrtc.MimeTypeH264, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"), webrtc.RTPCodecTypeVideo},
	{rtx(103, 102), webrtc.RTPCodecTypeVideo},
	{vp(104, webrtc.MimeTypeH264, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f"), webrtc.RTPCodecTypeVideo},
	{rtx(105, 104), webrtc.RTPCodecTypeVideo},
	{vp(106, webrtc.MimeTypeH264, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f"), webrtc.RTPCodecTypeVideo},
	{rtx(107, 106), webrtc.RTPCodecTypeVideo},
}

func vp(pt webrtc.PayloadType, mime, fmtp string) webrtc.RTPCodecParameters {
	return webrtc.RTPCodecParameters{PayloadType: pt, RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: mime, ClockRate: 90000, SDPFmtpLine: fmtp, RTCPFeedback: videoFeedback}}
}

func rtx(pt, apt webrtc.PayloadType) webrtc.RTPCodecParameters {
	return webrtc.RTPCodecParameters{PayloadType: pt, RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeRTX, ClockRate: 90000, SDPFmtpLine: "apt=" + strconv.Itoa(int(apt))}}
}

// newMediaEngine registers Lectern's codecs and header extensions.
func newMediaEngine() (*webrtc.MediaEngine, error) {
	m := &webrtc.MediaEngine{}
	for _, c := range codecs {
		if err := m.RegisterCodec(c.params, c.kind); err != nil {
			return nil, err
		}
	}
	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: extAudioLevel}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	return m, nil
}

// newPublisherAPI builds the API for publishing PeerConnections: NACKs are
// generated towards the publisher, receiver reports and TWCC feedback sent
// to it so that its encoder adapts, simulcast header extensions understood.
func newPublisherAPI(se webrtc.SettingEngine, tags *ridTagger) (*webrtc.API, error) {
	m, err := newMediaEngine()
	if err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	reg.Add(tags)
	if err := webrtc.ConfigureNack(m, reg); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureSimulcastExtensionHeaders(m); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureTWCCSender(m, reg); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// newSubscriberAPI builds the API for one sending PeerConnection (a
// subscriber's or a WHEP player's): sender reports from Pion's report
// interceptor, or none when ownReports is set (the subscriber writes its
// own, senderreport.go); its RTCP handled as SRTCP decrypts it, by routes
// (rtcpsink.go); and, when routes has an estimator, the TWCC
// sequence-number extension on everything sent, stamped by it
// (estimator.go). No NACK responder: down-tracks answer NACKs from the
// publisher side's shared packet cache (nack.go), sparing a copy of every
// packet per subscriber. Each connection gets its own registry and
// SettingEngine copy, so that the estimator and the routes belong to it.
func newSubscriberAPI(se webrtc.SettingEngine, ownReports bool, routes *rtcpRoutes) (*webrtc.API, error) {
	m, err := newMediaEngine()
	if err != nil {
		return nil, err
	}
	se.BufferFactory = routes.bufferFactory
	reg := &interceptor.Registry{}
	if est := routes.est; est != nil {
		// Innermost: it must see every packet, retransmissions and
		// padding too, last before SRTP.
		for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
			if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: extTWCC}, kind); err != nil {
				return nil, err
			}
		}
		reg.Add(estimatorFactory{est})
	}
	if !ownReports {
		if err := webrtc.ConfigureRTCPReports(reg); err != nil {
			return nil, err
		}
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// kindOfCodec maps a MIME type to the inspection the forwarder does.
func kindOfCodec(mime string) codecKind {
	switch strings.ToLower(mime) {
	case strings.ToLower(webrtc.MimeTypeVP8):
		return codecVP8
	case strings.ToLower(webrtc.MimeTypeH264):
		return codecH264
	case strings.ToLower(webrtc.MimeTypeOpus):
		return codecOpus
	}
	return codecOther
}

// fmtpValue returns the value of key in an fmtp line.
func fmtpValue(line, key string) string {
	for _, kv := range strings.Split(line, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// sameCodec reports whether a negotiated codec can carry a publisher's
// payloads unchanged: same MIME type and clock rate, and for H.264 the same
// packetization mode and profile (level may differ).
func sameCodec(pub, sub webrtc.RTPCodecCapability) bool {
	if !strings.EqualFold(pub.MimeType, sub.MimeType) || pub.ClockRate != sub.ClockRate {
		return false
	}
	if !strings.EqualFold(pub.MimeType, webrtc.MimeTypeH264) {
		return true
	}
	pm := func(c webrtc.RTPCodecCapability) string {
		if v := fmtpValue(c.SDPFmtpLine, "packetization-mode"); v != "" {
			return v
		}
		return "0"
	}
	prof := func(c webrtc.RTPCodecCapability) string {
		v := strings.ToLower(fmtpValue(c.SDPFmtpLine, "profile-level-id"))
		if len(v) >= 4 {
			return v[:4]
		}
		return "42e0"
	}
	return pm(pub) == pm(sub) && prof(pub) == prof(sub)
}
