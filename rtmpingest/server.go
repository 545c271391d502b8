package rtmpingest

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// readTimeout ends a publisher that sends nothing for this long.
const readTimeout = 10 * time.Second

// TokenVerifier checks a join token offered as a stream key and returns
// its lesson and user; it refuses tokens that may not publish.
type TokenVerifier interface {
	Publisher(tok string) (lesson, user string, err error)
}

// Config configures a Server.
type Config struct {
	SFU    *sfu.SFU
	Keys   *Keys
	Tokens TokenVerifier // nil: stream keys only
	Logger *slog.Logger
	FFmpeg string // path of ffmpeg for AAC → Opus; "" looks it up on PATH
	// AAC, when set, receives each publisher's AAC as it is (the
	// recorder: live HLS and recordings keep it, while WebRTC students
	// get the Opus made from it). It returns where to write access units
	// (with their timestamps) and what to call when the publisher goes.
	AAC func(lesson string, conf mpeg4audio.AudioSpecificConfig) (write func(pts time.Duration, au []byte), done func())
}

// Server accepts RTMP publishers.
type Server struct {
	cfg Config
	log *slog.Logger
	api *webrtc.API
	ln  net.Listener

	mu     sync.Mutex // guards live, conns and closed
	live   map[string]net.Conn
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Listen starts accepting RTMP connections on addr.
func Listen(addr string, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.FFmpeg == "" {
		if p, err := exec.LookPath("ffmpeg"); err == nil {
			cfg.FFmpeg = p
		}
	}
	api, err := newBridgeAPI()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rtmpingest: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, api: api, ln: ln, live: map[string]net.Conn{}, conns: map[net.Conn]struct{}{}}
	if cfg.FFmpeg == "" {
		s.log.Warn("ffmpeg not found: RTMP audio will not reach WebRTC students")
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops accepting, drops every publisher and waits.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
			if err := s.handle(c); err != nil {
				s.log.Info("RTMP connection ended", "remote", c.RemoteAddr().String(), "err", err)
			}
		}()
	}
}

// authorize maps the key in the URL path (/live/<key>) to a lesson and a
// user. The key itself is never logged.
func (s *Server) authorize(path string) (lesson, user string, err error) {
	key, ok := strings.CutPrefix(path, "/live/")
	if !ok || key == "" || strings.Contains(key, "/") {
		return "", "", ErrBadKey
	}
	if s.cfg.Keys != nil {
		if l, ok := s.cfg.Keys.Lesson(key); ok {
			return l, "key", nil
		}
	}
	if s.cfg.Tokens != nil {
		if l, u, err := s.cfg.Tokens.Publisher(key); err == nil {
			return l, u, nil
		}
	}
	return "", "", ErrBadKey
}

func (s *Server) handle(c net.Conn) error {
	remote := c.RemoteAddr().String()
	_ = c.SetDeadline(time.Now().Add(readTimeout))
	sc := &gortmplib.ServerConn{RW: c}
	if err := sc.Initialize(); err != nil {
		return err
	}
	if err := sc.AcceptConn(); err != nil {
		return err
	}
	if !sc.Publish {
		_ = sc.RejectAction()
		s.log.Warn("RTMP playback refused: this server only ingests", "remote", remote)
		return nil
	}
	lesson, user, err := s.authorize(sc.URL.Path)
	if err != nil {
		_ = sc.RejectAction()
		s.log.Warn("RTMP publish refused: bad or missing stream key", "remote", remote)
		return nil
	}
	s.mu.Lock()
	if s.live[lesson] != nil {
		s.mu.Unlock()
		_ = sc.RejectAction()
		s.log.Warn("RTMP publish refused: the lesson already has an RTMP publisher", "remote", remote, "lesson", lesson)
		return ErrBusy
	}
	s.live[lesson] = c
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.live[lesson] == c {
			delete(s.live, lesson)
		}
		s.mu.Unlock()
	}()
	log := s.log.With("lesson", lesson, "remote", remote)

	r := &gortmplib.Reader{Conn: sc}
	if err := r.Initialize(); err != nil {
		if strings.Contains(err.Error(), "unsupported") {
			log.Warn("RTMP publish refused: the video must be H.264 (audio AAC)", "err", err)
			return fmt.Errorf("%w: %v", ErrCodec, err)
		}
		return err
	}
	var video, audio *gortmplib.Track
	var names []string
	for _, t := range r.Tracks() {
		names = append(names, fmt.Sprintf("%T", t.Codec))
		switch t.Codec.(type) {
		case *codecs.H264:
			if video == nil {
				video = t
			}
		case *codecs.MPEG4Audio:
			if audio == nil {
				audio = t
			}
		}
	}
	if video == nil {
		log.Warn("RTMP publish refused: the video must be H.264", "tracks", names)
		return fmt.Errorf("%w: tracks %v", ErrCodec, names)
	}
	if audio == nil && len(r.Tracks()) > 1 {
		log.Warn("RTMP audio is not AAC: published without sound", "tracks", names)
	}
	// The AAC feed starts before the video reaches the lesson, so that the
	// recorder's muxer, which starts at the first keyframe, finds it.
	var aacWrite func(time.Duration, []byte)
	if audio != nil && s.cfg.AAC != nil {
		var done func()
		aacWrite, done = s.cfg.AAC(lesson, *audio.Codec.(*codecs.MPEG4Audio).Config)
		defer done()
	}
	vc := video.Codec.(*codecs.H264)
	b, err := newBridge(s.api, s.cfg.SFU, lesson, user, vc.SPS, vc.PPS, audio != nil && s.cfg.FFmpeg != "")
	if err != nil {
		log.Error("RTMP stream not published into the lesson", "err", err)
		return err
	}
	defer b.close()
	var tc *transcoder
	if audio != nil && s.cfg.FFmpeg != "" {
		tc, err = newTranscoder(s.cfg.FFmpeg, audio.Codec.(*codecs.MPEG4Audio).Config, log, func(pkt []byte, d time.Duration) {
			_ = b.writeOpus(pkt, d)
		})
		if err != nil {
			log.Warn("RTMP audio not transcoded", "err", err)
		} else {
			defer tc.close()
		}
	}
	var bframes bool
	r.OnDataH264(video, func(pts, dts time.Duration, au [][]byte) {
		if pts != dts && !bframes {
			bframes = true
			log.Warn("RTMP video has B-frames: browsers may stutter; set the encoder to bframes=0")
		}
		if err := b.writeVideo(dts, au); err != nil {
			log.Debug("RTMP video not forwarded", "err", err)
		}
	})
	if tc != nil || aacWrite != nil {
		r.OnDataMPEG4Audio(audio, func(pts time.Duration, au []byte) {
			if aacWrite != nil {
				aacWrite(pts, au)
			}
			if tc == nil {
				return
			}
			if err := tc.write(au); err != nil {
				log.Debug("RTMP audio not transcoded", "err", err)
			}
		})
	}
	log.Info("RTMP publisher live", "user", user, "audio", tc != nil, "aac_to_hls", aacWrite != nil, "profile", profileLevelID(vc.SPS))
	for {
		_ = c.SetDeadline(time.Now().Add(readTimeout))
		if err := r.Read(); err != nil {
			if errors.Is(err, net.ErrClosed) {
				err = nil
			}
			log.Info("RTMP publisher gone: its tracks end, the lesson goes on", "err", err)
			return nil
		}
	}
}
