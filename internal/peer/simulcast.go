package peer

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// SimulcastRIDs are the RIDs of the three layers, lowest first, as the
// browser client names them.
var SimulcastRIDs = [3]string{"q", "h", "f"}

// SimulcastPublisher plays three encodings of one camera (RIDs q, h, f)
// and an audio clip, in real time, like a browser publishing simulcast. A
// PLI makes the layer it names jump to its next keyframe; SetActive
// pauses and resumes a layer as a browser does for encodings set
// active: false.
type SimulcastPublisher struct {
	PC     *webrtc.PeerConnection
	Layers [3]*webrtc.TrackLocalStaticRTP
	Audio  *webrtc.TrackLocalStaticSample
	PLIs   atomic.Int64 // keyframe requests received, all layers
	// Untagged sends the layers without the mid and RID header
	// extensions, as a plain Pion publisher does (set before Start).
	Untagged bool
	// IgnorePLIs counts keyframe requests but never answers them, as
	// Publisher's does (set before Start).
	IgnorePLIs bool

	clips  [3]Clip
	audio  Clip
	want   [3]atomic.Bool // layer i owes a keyframe
	paused [3]atomic.Bool
	sender *webrtc.RTPSender
	tr     *webrtc.RTPTransceiver

	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// NewSimulcastPublisher creates a publisher of the three layers (lowest
// first; all must have frames) and audio (may have none).
func NewSimulcastPublisher(api *webrtc.API, layers [3]Clip, audio Clip) (*SimulcastPublisher, error) {
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	p := &SimulcastPublisher{PC: pc, clips: layers, audio: audio, stop: make(chan struct{})}
	fail := func(err error) (*SimulcastPublisher, error) {
		_ = pc.Close()
		return nil, err
	}
	for i, rid := range SimulcastRIDs {
		p.Layers[i], err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: layers[i].MimeType},
			"camera", "teacher", webrtc.WithRTPStreamID(rid))
		if err != nil {
			return fail(err)
		}
	}
	tr, err := pc.AddTransceiverFromTrack(p.Layers[0], webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return fail(err)
	}
	p.sender, p.tr = tr.Sender(), tr
	for _, l := range p.Layers[1:] {
		if err := p.sender.AddEncoding(l); err != nil {
			return fail(err)
		}
	}
	for i, rid := range SimulcastRIDs {
		p.wg.Add(1)
		go p.readRTCP(i, rid)
	}
	if len(audio.Frames) > 0 {
		p.Audio, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: audio.MimeType}, "microphone", "teacher")
		if err != nil {
			return fail(err)
		}
		s, err := pc.AddTransceiverFromTrack(p.Audio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			return fail(err)
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for {
				if _, _, err := s.Sender().ReadRTCP(); err != nil {
					return
				}
			}
		}()
	}
	return p, nil
}

// Sources names the publisher's tracks for a publish offer.
func (p *SimulcastPublisher) Sources() map[string]string {
	m := map[string]string{"camera": "camera"}
	if p.Audio != nil {
		m[p.Audio.ID()] = "microphone"
	}
	return m
}

// SetActive pauses (false) or resumes (true) the layer with that RID; a
// resumed layer starts at a keyframe.
func (p *SimulcastPublisher) SetActive(rid string, on bool) {
	for i, r := range SimulcastRIDs {
		if r == rid {
			if p.paused[i].Swap(!on) && on {
				p.want[i].Store(true)
			}
		}
	}
}

// Active reports whether the layer with that RID is being sent.
func (p *SimulcastPublisher) Active(rid string) bool {
	for i, r := range SimulcastRIDs {
		if r == rid {
			return !p.paused[i].Load()
		}
	}
	return false
}

func (p *SimulcastPublisher) readRTCP(i int, rid string) {
	defer p.wg.Done()
	for {
		pkts, _, err := p.sender.ReadSimulcastRTCP(rid)
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				p.PLIs.Add(1)
				p.want[i].Store(true)
			}
		}
	}
}

// Start begins playing. It returns at once.
func (p *SimulcastPublisher) Start() {
	for i := range p.Layers {
		p.wg.Add(1)
		go p.play(i)
	}
	if p.Audio != nil {
		p.wg.Add(1)
		go p.playAudio()
	}
}

// play sends one layer. Pion does not tag simulcast packets with the mid
// and RID header extensions (RFC 8852) itself, so the layer packetizes
// its frames and tags them here, as a browser does.
func (p *SimulcastPublisher) play(layer int) {
	defer p.wg.Done()
	c, t := p.clips[layer], p.Layers[layer]
	var midID, ridID uint8
	for _, e := range p.sender.GetParameters().HeaderExtensions {
		switch e.URI {
		case sdp.SDESMidURI:
			midID = uint8(e.ID)
		case sdp.SDESRTPStreamIDURI:
			ridID = uint8(e.ID)
		}
	}
	if p.Untagged {
		midID, ridID = 0, 0
	}
	mid, rid := []byte(p.tr.Mid()), []byte(SimulcastRIDs[layer])
	pz := rtp.NewPacketizer(1200, 96, 0, &codecs.VP8Payloader{EnablePictureID: true}, rtp.NewRandomSequencer(), 90000)
	jump := func() bool { return p.want[layer].Swap(false) }
	if p.IgnorePLIs {
		jump = nil
	}
	play(c, p.stop, jump, func(f Frame) error {
		samples := uint32(f.Duration * 90000 / time.Second)
		if p.paused[layer].Load() {
			pz.SkipSamples(samples)
			return nil
		}
		for _, pkt := range pz.Packetize(f.Data, samples) {
			if midID != 0 {
				_ = pkt.Header.SetExtension(midID, mid)
			}
			if ridID != 0 {
				_ = pkt.Header.SetExtension(ridID, rid)
			}
			if err := t.WriteRTP(pkt); err != nil {
				return err
			}
		}
		return nil
	})
}

func (p *SimulcastPublisher) playAudio() {
	defer p.wg.Done()
	play(p.audio, p.stop, nil, sampleWriter(p.Audio))
}

// Close stops playing and closes the connection.
func (p *SimulcastPublisher) Close() {
	p.once.Do(func() {
		close(p.stop)
		_ = p.PC.Close()
		p.wg.Wait()
	})
}
