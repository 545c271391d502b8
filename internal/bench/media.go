package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/lectern/lectern/internal/peer"
	"github.com/pion/webrtc/v4"
)

// teacher is what publishes: one PeerConnection and its tracks' sources.
type teacher interface {
	PeerConnection() *webrtc.PeerConnection
	Sources() map[string]string
	Start()
	Close()
}

// singleLayer adapts peer.Publisher.
type singleLayer struct{ *peer.Publisher }

func (s singleLayer) PeerConnection() *webrtc.PeerConnection { return s.PC }

// simulcastFiles are the three layers, lowest first.
var simulcastFiles = [3]string{"sim_q.ivf", "sim_h.ivf", "sim_f.ivf"}

// simulcast adapts peer.SimulcastPublisher.
type simulcast struct{ *peer.SimulcastPublisher }

func (s simulcast) PeerConnection() *webrtc.PeerConnection { return s.PC }

func simulcastAvailable(dir string) bool {
	for _, f := range simulcastFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// newSimulcastTeacher publishes three VP8 layers and Opus.
func newSimulcastTeacher(api *webrtc.API, dir string, audio peer.Clip, deaf bool) (teacher, error) {
	var layers [3]peer.Clip
	for i, f := range simulcastFiles {
		c, err := peer.LoadIVF(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		layers[i] = c
	}
	p, err := peer.NewSimulcastPublisher(api, layers, audio)
	if err != nil {
		return nil, err
	}
	p.IgnorePLIs = deaf
	return simulcast{p}, nil
}

// newTeacher loads the clips and builds the publisher on api; video is
// the one layer's clip, a name in dir or a path; a deaf teacher never
// answers a keyframe request.
func newTeacher(api *webrtc.API, dir string, layers int, video string, deaf bool) (teacher, []string, error) {
	audio, err := peer.LoadOgg(filepath.Join(dir, "teacher.ogg"))
	if err != nil {
		return nil, nil, err
	}
	files := []string{"teacher.ogg"}
	if layers == 3 {
		t, err := newSimulcastTeacher(api, dir, audio, deaf)
		return t, append(files, simulcastFiles[:]...), err
	}
	path := video
	if !strings.ContainsRune(video, filepath.Separator) {
		path = filepath.Join(dir, video)
	}
	clip, err := peer.LoadIVF(path)
	if err != nil {
		return nil, nil, err
	}
	p, err := peer.NewPublisher(api, clip, audio)
	if err != nil {
		return nil, nil, err
	}
	p.IgnorePLIs = deaf
	return singleLayer{p}, append(files, video), nil
}

// publish offers the teacher's tracks through the signalling protocol,
// applies the answer and starts playing.
func publish(ctx context.Context, c *peer.Client, t teacher) error {
	if err := c.PublishTracks(ctx, t.PeerConnection(), t.Sources()); err != nil {
		return err
	}
	t.Start()
	return nil
}

// layerNames maps the teacher's video SSRCs to layer names: the RID of a
// simulcast encoding, or "single".
func layerNames(pc *webrtc.PeerConnection) map[uint32]string {
	out := map[uint32]string{}
	for _, s := range pc.GetSenders() {
		tr := s.Track()
		if tr == nil || tr.Kind() != webrtc.RTPCodecTypeVideo {
			continue
		}
		for _, e := range s.GetParameters().Encodings {
			name := e.RID
			if name == "" {
				name = "single"
			}
			out[uint32(e.SSRC)] = name
		}
	}
	return out
}
