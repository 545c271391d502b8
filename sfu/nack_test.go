package sfu_test

import (
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/transport/v5/vnet"
)

// lossyDownlink drops every nth video RTP packet the SFU sends to one
// address, and remembers the (subscriber's) sequence numbers it dropped.
type lossyDownlink struct {
	from, to string
	nth      int

	mu      sync.Mutex
	off     bool // dropping has stopped
	pt      byte
	count   int
	dropped map[uint16]int
}

func (f *lossyDownlink) filter(c vnet.Chunk) bool {
	if c.Network() != "udp" {
		return true
	}
	src, dst := c.SourceAddr().(*net.UDPAddr), c.DestinationAddr().(*net.UDPAddr)
	b := c.UserData()
	// SRTP leaves the RTP header in the clear (RFC 3711 §3.1).
	if src.IP.String() != f.from || dst.IP.String() != f.to || len(b) < 20 || b[0]>>6 != 2 {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.off || b[1]&0x7f != f.pt {
		return true
	}
	f.count++
	if f.count%f.nth != 0 {
		return true
	}
	f.dropped[uint16(b[2])<<8|uint16(b[3])]++
	return false
}

// TestNACKAnsweredFromSharedCache drops every 10th video packet on one
// subscriber's downlink. The subscriber's NACKs must be answered from the
// publisher side's shared packet cache under the subscriber's own sequence
// numbers: every dropped number arrives in the end, and every frame the
// subscriber assembles is a frame of the clip, each delta frame following
// its predecessor.
func TestNACKAnsweredFromSharedCache(t *testing.T) {
	wan, addNet := newWAN(t)
	sfuNet, pubNet, subNet := addNet("10.0.0.1"), addNet("10.0.0.2"), addNet("10.0.0.10")
	// Dropping starts once the student plays: a join starts with a burst
	// of the cached GOP (replay.go), whose repair is not what is tested.
	loss := &lossyDownlink{from: "10.0.0.1", to: "10.0.0.10", nth: 10, pt: 96, dropped: map[uint16]int{}, off: true}
	wan.AddChunkFilter(loss.filter)
	if err := wan.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = wan.Stop() })

	s, err := sfu.New(sfu.Config{Net: sfuNet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	dir := peer.MediaDir()
	video, err := peer.LoadIVF(filepath.Join(dir, "teacher.ivf"))
	if err != nil {
		t.Fatal(err)
	}
	audio, err := peer.LoadOgg(filepath.Join(dir, "teacher.ogg"))
	if err != nil {
		t.Fatal(err)
	}
	pubAPI, err := peer.NewVNetAPI(pubNet)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := peer.NewPublisher(pubAPI, video, audio)
	if err != nil {
		t.Fatal(err)
	}
	publishWith(t, s, "nack", pub)
	waitTracks(t, s.Room("nack"), 2)

	subAPI, err := peer.NewVNetAPI(subNet)
	if err != nil {
		t.Fatal(err)
	}
	c := newClientAPI(t, subAPI)
	c.join(t, s, "nack", "student", false)
	v := c.keyframe(t, 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	loss.mu.Lock()
	loss.off = false
	loss.mu.Unlock()
	time.Sleep(4 * time.Second)

	loss.mu.Lock()
	dropped := len(loss.dropped)
	loss.off = true
	loss.mu.Unlock()
	time.Sleep(500 * time.Millisecond) // the last repairs
	if dropped < 5 {
		t.Fatalf("only %d packets dropped on the downlink: the filter missed the video", dropped)
	}
	var resent uint64
	for _, tr := range s.Room("nack").Tracks() {
		for _, d := range tr.DownTracks() {
			resent += d.PacketsResent()
		}
	}
	if resent < uint64(dropped)/2 {
		t.Errorf("%d packets resent for %d dropped", resent, dropped)
	}
	if st := v.Stats(); st.Lost != 0 || !st.FirstFrameIsKeyframe {
		t.Errorf("after repair: %+v", st)
	}
	frames := v.Frames()
	if len(frames) < 60 {
		t.Fatalf("only %d frames in 4 s", len(frames))
	}
	// The publisher jumps to a keyframe on a PLI; nothing else may skip.
	checkClipOrder(t, video, frames, true)
	t.Logf("%d packets dropped, %d resent, %d frames whole", dropped, resent, len(frames))

	// The figures are this SFU's: another one in the same process, idle,
	// counts nothing.
	st := s.Stats()
	if st.PacketsForwarded < uint64(len(frames)) || st.NACKsReceived == 0 || st.EstimateCount != 1 || st.EstimateSum <= 0 {
		t.Errorf("SFU figures: %d packets, %d NACKs, %d estimates summing to %v", st.PacketsForwarded, st.NACKsReceived, st.EstimateCount, st.EstimateSum)
	}
	idle, err := sfu.New(sfu.Config{Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if ist := idle.Stats(); ist.PacketsForwarded != 0 || ist.NACKsReceived != 0 || ist.PLIsSent != 0 || ist.FirstFrameCount != 0 {
		t.Errorf("an idle SFU reports %+v", ist)
	}
}

// checkClipOrder fails unless every frame is a frame of clip and follows
// its predecessor in the clip; jumpAtKeyframes allows a jump onto a
// keyframe.
func checkClipOrder(t *testing.T, clip peer.Clip, frames []peer.FrameInfo, jumpAtKeyframes bool) {
	t.Helper()
	index := map[uint64]int{}
	for i, f := range clip.Frames {
		index[peer.HashFrame(f.Data)] = i
	}
	prev := -1
	for i, f := range frames {
		at, ok := index[f.Hash]
		if !ok {
			t.Fatalf("frame %d is not a frame of the clip: wrong payload", i)
		}
		if prev >= 0 && !(jumpAtKeyframes && f.Keyframe) && at != (prev+1)%len(clip.Frames) {
			t.Fatalf("frame %d is clip frame %d after %d: a frame is missing", i, at, prev)
		}
		prev = at
	}
}
