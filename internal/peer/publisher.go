package peer

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// Publisher plays a video clip and an audio clip in a loop, in real time,
// on its own PeerConnection. A PLI or FIR makes the video jump to its next
// keyframe, as a live encoder would produce one.
type Publisher struct {
	PC    *webrtc.PeerConnection
	Video *webrtc.TrackLocalStaticSample
	Audio *webrtc.TrackLocalStaticSample

	video, audio Clip
	keyframeWant atomic.Bool
	PLIs         atomic.Int64 // keyframe requests received
	// IgnorePLIs makes the publisher count keyframe requests but never
	// answer them: a slow encoder, or one with a fixed GOP. Set it
	// before Start.
	IgnorePLIs bool
	lastKey    atomic.Int64 // unix nanoseconds of the latest keyframe sent

	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// NewPublisher creates a publisher with the given clips; either may have no
// frames, and then that track is not added.
func NewPublisher(api *webrtc.API, video, audio Clip) (*Publisher, error) {
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	p := &Publisher{PC: pc, video: video, audio: audio, stop: make(chan struct{})}
	if len(video.Frames) > 0 {
		p.Video, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: video.MimeType}, "camera", "teacher")
		if err != nil {
			pc.Close()
			return nil, err
		}
		s, err := pc.AddTransceiverFromTrack(p.Video, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			pc.Close()
			return nil, err
		}
		p.wg.Add(1)
		go p.readRTCP(s.Sender())
	}
	if len(audio.Frames) > 0 {
		p.Audio, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: audio.MimeType}, "microphone", "teacher")
		if err != nil {
			pc.Close()
			return nil, err
		}
		s, err := pc.AddTransceiverFromTrack(p.Audio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			pc.Close()
			return nil, err
		}
		p.wg.Add(1)
		go p.readRTCP(s.Sender())
	}
	return p, nil
}

// Sources names the publisher's tracks for a publish.offer.
func (p *Publisher) Sources() map[string]string {
	m := map[string]string{}
	if p.Video != nil {
		m[p.Video.ID()] = "camera"
	}
	if p.Audio != nil {
		m[p.Audio.ID()] = "microphone"
	}
	return m
}

func (p *Publisher) readRTCP(s *webrtc.RTPSender) {
	defer p.wg.Done()
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				p.PLIs.Add(1)
				p.keyframeWant.Store(true)
			}
		}
	}
}

// Start begins playing. It returns at once.
func (p *Publisher) Start() {
	if p.Video != nil {
		p.wg.Add(1)
		go p.play(p.Video, p.video, true)
	}
	if p.Audio != nil {
		p.wg.Add(1)
		go p.play(p.Audio, p.audio, false)
	}
}

func (p *Publisher) play(t *webrtc.TrackLocalStaticSample, c Clip, video bool) {
	defer p.wg.Done()
	var jump func() bool
	send := sampleWriter(t)
	if video {
		if !p.IgnorePLIs {
			jump = func() bool { return p.keyframeWant.Swap(false) }
		}
		write := send
		send = func(f Frame) error {
			if f.Keyframe {
				p.lastKey.Store(time.Now().UnixNano())
			}
			return write(f)
		}
	}
	play(c, p.stop, jump, send)
}

// LastKeyframeAt returns when the latest video keyframe was sent (zero
// before the first).
func (p *Publisher) LastKeyframeAt() time.Time {
	if n := p.lastKey.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Close stops playing and closes the connection.
func (p *Publisher) Close() {
	p.once.Do(func() {
		close(p.stop)
		_ = p.PC.Close()
		p.wg.Wait()
	})
}
