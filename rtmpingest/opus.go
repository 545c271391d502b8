package rtmpingest

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"sync"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// opusFrame is the Opus frame duration ffmpeg is asked to produce.
const opusFrame = 20 * time.Millisecond

// transcoder turns AAC access units into Opus packets through an ffmpeg
// subprocess: ADTS in on stdin, Ogg Opus out on stdout, one packet per
// page so that nothing waits in ffmpeg's muxer.
type transcoder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	conf  *mpeg4audio.AudioSpecificConfig
	log   *slog.Logger

	mu     sync.Mutex // guards closed (writes come from the RTMP reader)
	closed bool
	wg     sync.WaitGroup
}

func newTranscoder(ffmpeg string, conf *mpeg4audio.AudioSpecificConfig, log *slog.Logger, out func(pkt []byte, d time.Duration)) (*transcoder, error) {
	cmd := exec.Command(ffmpeg, "-nostdin", "-v", "error", "-fflags", "nobuffer", "-f", "aac", "-i", "pipe:0",
		"-c:a", "libopus", "-b:a", "64k", "-ar", "48000", "-ac", "2", "-application", "lowdelay", "-frame_duration", "20",
		"-f", "ogg", "-page_duration", "20000", "-flush_packets", "1", "pipe:1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("rtmpingest: starting ffmpeg for AAC → Opus: %w", err)
	}
	t := &transcoder{cmd: cmd, stdin: stdin, conf: conf, log: log}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		t.read(stdout, out)
	}()
	return t, nil
}

func (t *transcoder) read(r io.Reader, out func([]byte, time.Duration)) {
	ogg, _, err := oggreader.NewWith(r)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			t.log.Warn("AAC → Opus: no Ogg stream from ffmpeg", "err", err)
		}
		return
	}
	for {
		page, _, err := ogg.ParseNextPage()
		if err != nil {
			return
		}
		if len(page) >= 8 && (string(page[:8]) == "OpusHead" || string(page[:8]) == "OpusTags") {
			continue
		}
		if len(page) > 0 {
			out(page, opusFrame)
		}
	}
}

// write hands one AAC access unit to ffmpeg.
func (t *transcoder) write(au []byte) error {
	buf, err := mpeg4audio.ADTSPackets{{Type: t.conf.Type, SampleRate: t.conf.SampleRate,
		ChannelConfig: t.conf.ChannelConfig, AU: au}}.Marshal()
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return io.ErrClosedPipe
	}
	_, err = t.stdin.Write(buf)
	return err
}

// close ends ffmpeg and waits for it.
func (t *transcoder) close() {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.closed = true
	_ = t.stdin.Close()
	t.mu.Unlock()
	done := make(chan struct{})
	go func() { t.wg.Wait(); _ = t.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		_ = t.cmd.Process.Kill()
		<-done
	}
}
