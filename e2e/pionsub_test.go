package e2e

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/interceptor"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

// pionSubscriber is a second participant written with Pion: it joins over
// the real WebSocket (docs/protocol.md), answers subscribe offers, and
// checks what it receives.
type pionSubscriber struct {
	t    *testing.T
	ws   *websocket.Conn
	pc   *webrtc.PeerConnection
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu         sync.Mutex           // guards the fields below
	tracks     map[string]trackInfo // mid → track, from the last subscribe.offer
	keyframe   *vp8Keyframe
	keyframes  []vp8Keyframe // every keyframe since the start, in order
	qualities  []string      // track.quality payloads received
	audioPkts  int
	videoPkts  int
	videoTrack string
	errs       []string
}

type trackInfo struct {
	ID            string `json:"id"`
	ParticipantID string `json:"participantId"`
	Kind          string `json:"kind"`
	Source        string `json:"source"`
}

type vp8Keyframe struct{ Width, Height, Size int }

type envelope struct {
	V       int             `json:"v"`
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload"`
}

// loopbackAPI is a Pion API whose ICE only uses UDP4 on the loopback
// interface, as the tests run where nothing else may exist.
func loopbackAPI() (*webrtc.API, error) {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir)), nil
}

func dialSubscriber(t *testing.T, baseURL, tok string) *pionSubscriber {
	t.Helper()
	api, err := loopbackAPI()
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
	defer dcancel()
	ws, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(baseURL, "http")+"/rtc", nil)
	if err != nil {
		stop()
		t.Fatalf("dial /rtc: %v", err)
	}
	ws.SetReadLimit(64 << 10)
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		stop()
		t.Fatal(err)
	}
	s := &pionSubscriber{t: t, ws: ws, pc: pc, ctx: ctx, stop: stop, tracks: map[string]trackInfo{}}
	t.Cleanup(s.close)
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			s.send("trickle", "", map[string]any{"target": "subscribe", "candidate": c.ToJSON()})
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, rx *webrtc.RTPReceiver) {
		s.wg.Add(1)
		go s.read(tr)
	})
	s.send("join", "1", map[string]any{"token": tok})
	joined := s.readUntil("joined", 10*time.Second)
	if joined == nil {
		t.Fatalf("no joined reply")
	}
	s.wg.Add(1)
	go s.loop()
	return s
}

func (s *pionSubscriber) send(typ, id string, payload any) {
	b, _ := json.Marshal(payload)
	m, _ := json.Marshal(envelope{V: 1, Type: typ, ID: id, Payload: b})
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	if err := s.ws.Write(ctx, websocket.MessageText, m); err != nil && s.ctx.Err() == nil {
		s.fail("write %s: %v", typ, err)
	}
}

// readUntil reads frames until one of type want (handling others), before
// the read loop runs.
func (s *pionSubscriber) readUntil(want string, timeout time.Duration) json.RawMessage {
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	defer cancel()
	for {
		m, err := s.readOne(ctx)
		if err != nil {
			s.t.Fatalf("waiting for %s: %v", want, err)
		}
		if m.Type == "error" {
			s.t.Fatalf("waiting for %s: error %s", want, m.Payload)
		}
		if m.Type == want {
			return m.Payload
		}
		s.handle(m)
	}
}

func (s *pionSubscriber) readOne(ctx context.Context) (envelope, error) {
	var m envelope
	_, data, err := s.ws.Read(ctx)
	if err != nil {
		return m, err
	}
	err = json.Unmarshal(data, &m)
	return m, err
}

func (s *pionSubscriber) loop() {
	defer s.wg.Done()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	go func() {
		for {
			select {
			case <-ping.C:
				s.send("ping", "p", map[string]any{})
			case <-s.ctx.Done():
				return
			}
		}
	}()
	for {
		m, err := s.readOne(s.ctx)
		if err != nil {
			if s.ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				s.fail("read: %v", err)
			}
			return
		}
		s.handle(m)
	}
}

func (s *pionSubscriber) handle(m envelope) {
	switch m.Type {
	case "subscribe.offer":
		var p struct {
			SDP    string               `json:"sdp"`
			Tracks map[string]trackInfo `json:"tracks"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			s.fail("subscribe.offer: %v", err)
			return
		}
		s.mu.Lock()
		s.tracks = p.Tracks
		s.mu.Unlock()
		if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: p.SDP}); err != nil {
			s.fail("set offer: %v", err)
			return
		}
		answer, err := s.pc.CreateAnswer(nil)
		if err == nil {
			err = s.pc.SetLocalDescription(answer)
		}
		if err != nil {
			s.fail("answer: %v", err)
			return
		}
		s.send("subscribe.answer", "", map[string]any{"sdp": s.pc.LocalDescription().SDP})
	case "trickle":
		var p struct {
			Target    string                  `json:"target"`
			Candidate webrtc.ICECandidateInit `json:"candidate"`
		}
		if json.Unmarshal(m.Payload, &p) == nil && p.Target == "subscribe" {
			if err := s.pc.AddICECandidate(p.Candidate); err != nil {
				s.fail("candidate: %v", err)
			}
		}
	case "track.quality":
		s.mu.Lock()
		s.qualities = append(s.qualities, string(m.Payload))
		s.mu.Unlock()
	case "error":
		s.fail("server error: %s", m.Payload)
	}
}

// read depacketises one received track: VP8 frames are reassembled with
// codecs.VP8Packet until a complete keyframe is seen; audio is counted.
func (s *pionSubscriber) read(tr *webrtc.TrackRemote) {
	defer s.wg.Done()
	video := tr.Kind() == webrtc.RTPCodecTypeVideo
	if video {
		mid := ""
		for _, tx := range s.pc.GetTransceivers() {
			if tx.Receiver() != nil && tx.Receiver().Track() == tr {
				mid = tx.Mid()
			}
		}
		s.mu.Lock()
		s.videoTrack = s.tracks[mid].ID
		s.mu.Unlock()
		if !strings.EqualFold(tr.Codec().MimeType, webrtc.MimeTypeVP8) {
			s.fail("video codec %s, want VP8", tr.Codec().MimeType)
		}
	}
	var (
		frame   []byte
		inFrame bool
		lastSeq uint16
		haveSeq bool
		vp8     codecs.VP8Packet
	)
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		if !video {
			s.mu.Lock()
			s.audioPkts++
			s.mu.Unlock()
			continue
		}
		s.mu.Lock()
		s.videoPkts++
		s.mu.Unlock()
		if haveSeq && pkt.SequenceNumber != lastSeq+1 {
			inFrame = false // a gap: drop the frame being built
		}
		lastSeq, haveSeq = pkt.SequenceNumber, true
		payload, err := vp8.Unmarshal(pkt.Payload)
		if err != nil {
			inFrame = false
			continue
		}
		if vp8.S == 1 && vp8.PID == 0 {
			frame, inFrame = append(frame[:0], payload...), true
		} else if inFrame {
			frame = append(frame, payload...)
		}
		if inFrame && pkt.Marker {
			s.onFrame(frame)
			inFrame = false
		}
	}
}

func (s *pionSubscriber) onFrame(f []byte) {
	kf, ok := parseVP8Keyframe(f)
	if !ok {
		return
	}
	s.mu.Lock()
	if s.keyframe == nil {
		s.keyframe = &kf
	}
	s.keyframes = append(s.keyframes, kf)
	s.mu.Unlock()
}

// keyframeCount is how many keyframes have arrived so far.
func (s *pionSubscriber) keyframeCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keyframes)
}

// receivedVideo is the server's id of the video track being received.
func (s *pionSubscriber) receivedVideo() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.videoTrack
}

// trackSettings sends track.settings (docs/protocol.md, "Simulcast and adaptive quality") for trackID.
func (s *pionSubscriber) trackSettings(trackID string, width, height int, visible bool) {
	s.send("track.settings", fmt.Sprintf("ts-%d", time.Now().UnixNano()), map[string]any{
		"trackId": trackID, "width": width, "height": height, "visible": visible,
	})
}

// waitKeyframe waits for a keyframe after the first `after` ones for which
// ok is true, asking for one every few seconds, and returns it.
func (s *pionSubscriber) waitKeyframe(after int, timeout time.Duration, ok func(vp8Keyframe) bool) (vp8Keyframe, bool) {
	deadline := time.Now().Add(timeout)
	nextAsk := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		for _, kf := range s.keyframes[min(after, len(s.keyframes)):] {
			if ok(kf) {
				s.mu.Unlock()
				return kf, true
			}
		}
		track := s.videoTrack
		s.mu.Unlock()
		if time.Now().After(nextAsk) && track != "" {
			s.send("keyframe", "", map[string]any{"trackId": track})
			nextAsk = time.Now().Add(3 * time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return vp8Keyframe{}, false
}

// keyframeLog describes the keyframes and quality messages received, for
// failure messages.
func (s *pionSubscriber) keyframeLog() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for i, kf := range s.keyframes {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%dx%d", kf.Width, kf.Height)
	}
	fmt.Fprintf(&b, "; track.quality: %v; errors: %v", s.qualities, s.errs)
	return b.String()
}

// parseVP8Keyframe checks the frame header of RFC 6386 §9.1: a key frame
// (P bit 0), the start code 9d 01 2a, and 14-bit width and height.
func parseVP8Keyframe(f []byte) (vp8Keyframe, bool) {
	if len(f) < 10 || f[0]&0x01 != 0 {
		return vp8Keyframe{}, false
	}
	if f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a {
		return vp8Keyframe{}, false
	}
	w := int(binary.LittleEndian.Uint16(f[6:8]) & 0x3fff)
	h := int(binary.LittleEndian.Uint16(f[8:10]) & 0x3fff)
	return vp8Keyframe{Width: w, Height: h, Size: len(f)}, true
}

// waitMedia waits until a keyframe and at least minAudio audio packets have
// arrived. After askAfter without a keyframe it sends one `keyframe`
// request (the server should not need it: it asks the publisher itself).
func (s *pionSubscriber) waitMedia(timeout, askAfter time.Duration, minAudio int) (vp8Keyframe, int, bool) {
	start := time.Now()
	asked := false
	for time.Since(start) < timeout {
		s.mu.Lock()
		kf, audio, track := s.keyframe, s.audioPkts, s.videoTrack
		s.mu.Unlock()
		if kf != nil && audio >= minAudio {
			return *kf, audio, asked
		}
		if kf == nil && !asked && track != "" && time.Since(start) > askAfter {
			s.send("keyframe", "", map[string]any{"trackId": track})
			asked = true
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t.Fatalf("within %v: keyframe=%v, %d video and %d audio packets; tracks %v; errors %v",
		timeout, s.keyframe, s.videoPkts, s.audioPkts, s.tracks, s.errs)
	return vp8Keyframe{}, 0, asked
}

func (s *pionSubscriber) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) < 20 {
		s.errs = append(s.errs, fmt.Sprintf(format, args...))
	}
}

func (s *pionSubscriber) close() {
	if s.ctx.Err() != nil {
		return
	}
	s.send("leave", "", map[string]any{})
	s.stop()
	s.ws.Close(websocket.StatusNormalClosure, "bye")
	s.pc.Close()
	s.wg.Wait()
}
