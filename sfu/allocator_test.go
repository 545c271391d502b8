package sfu

import (
	"slices"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

func cam(max, cur int) allocItem {
	return allocItem{rates: [maxLayers]int{150_000, 500_000, 1_500_000}, max: max, cur: cur}
}

func TestAllocate(t *testing.T) {
	audio := allocItem{audio: true, rates: [maxLayers]int{40_000}}
	screen := allocItem{rates: [maxLayers]int{1_000_000}, max: 0, cur: 0}
	tests := []struct {
		name   string
		budget int
		items  []allocItem
		want   []int
	}{
		{"plenty: everyone at the top", 10_000_000, []allocItem{audio, cam(2, 2), cam(2, 2)}, []int{0, 2, 2}},
		{"300 kbps: low layer", 300_000, []allocItem{audio, cam(2, 2)}, []int{0, 0}},
		{"not even the low layer: paused, audio kept", 100_000, []allocItem{audio, cam(2, 2)}, []int{0, layerNone}},
		{"audio goes first even when nothing fits", 10_000, []allocItem{audio, cam(2, 0)}, []int{0, layerNone}},
		{"adaptive stream caps the layer", 10_000_000, []allocItem{cam(1, 1)}, []int{1}},
		{"hidden gets nothing", 10_000_000, []allocItem{cam(layerNone, 2)}, []int{layerNone}},
		{"lowest for all before anyone is raised", 1_500_000, []allocItem{audio, screen, cam(2, 2), cam(2, 2)}, []int{0, 0, 0, 0}},
		{"rank order for the upgrades", 2_000_000, []allocItem{audio, screen, cam(2, 0), cam(2, 0)}, []int{0, 0, 1, 0}},
		{"screen before cameras when short", 1_100_000, []allocItem{audio, screen, cam(2, 0)}, []int{0, 0, layerNone}},
		{"missing layer skipped", 10_000_000, []allocItem{{rates: [maxLayers]int{150_000, 0, 1_500_000}, max: 2, cur: 0}}, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := make([]int, len(tt.items))
			used := allocate(tt.budget, tt.items, out)
			if !slices.Equal(out, tt.want) {
				t.Fatalf("allocate(%d) = %v, want %v", tt.budget, out, tt.want)
			}
			if used > tt.budget && out[len(out)-1] != layerNone {
				t.Fatalf("used %d over budget %d", used, tt.budget)
			}
		})
	}
}

func TestAllocateHysteresis(t *testing.T) {
	out := make([]int, 1)
	// 520 kbps holds h once sent…
	allocate(520_000, []allocItem{cam(2, 1)}, out)
	if out[0] != 1 {
		t.Fatalf("kept layer = %d, want 1", out[0])
	}
	// …but is not enough headroom to move up to it from q.
	allocate(520_000, []allocItem{cam(2, 0)}, out)
	if out[0] != 0 {
		t.Fatalf("raised to %d without headroom", out[0])
	}
	// A paused video resumes only with headroom too.
	allocate(160_000, []allocItem{cam(2, layerNone)}, out)
	if out[0] != layerNone {
		t.Fatalf("resumed at %d without headroom", out[0])
	}
}

func TestNextStep(t *testing.T) {
	items := []allocItem{{audio: true, rates: [maxLayers]int{40_000}}, cam(2, 0), cam(1, 0)}
	out := []int{0, 0, 1}
	if got := nextStep(items, out); got != 350_000 {
		t.Fatalf("next step = %d, want 350000 (q→h of the first camera)", got)
	}
	if got := nextStep(items, []int{0, 2, 1}); got != 0 {
		t.Fatalf("next step when all have what they want = %d", got)
	}
	if got := nextStep([]allocItem{cam(2, layerNone)}, []int{layerNone}); got != 150_000 {
		t.Fatalf("next step of a paused video = %d, want its low layer", got)
	}
}

func BenchmarkAllocate(b *testing.B) {
	items := []allocItem{{audio: true, rates: [maxLayers]int{40_000}}, {audio: true, rates: [maxLayers]int{40_000}},
		{rates: [maxLayers]int{1_000_000}, max: 0}, cam(2, 2), cam(2, 1), cam(1, 0), cam(0, 0)}
	out := make([]int, len(items))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		allocate(1_000_000+i%2_000_000, items, out)
	}
}

// BenchmarkControllerRound is one allocator round of a subscriber
// receiving a simulcast camera, a screen share and two microphones, with
// a real estimator (reading its estimate included).
func BenchmarkControllerRound(b *testing.B) {
	est := newBWEstimator(1_000_000, nil)
	sfu := &SFU{cfg: Config{}.withDefaults()}
	p := &Participant{id: "p", room: &Room{sfu: sfu}, cfg: ParticipantConfig{Listener: NopListener{}}, log: sfu.cfg.Logger}
	s := &subscriber{p: p, downs: map[string]*subscription{}, est: est}
	for i, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeAudio} {
		srcs := []*layerSource{{index: 0, ssrc: 1}, {index: 1, ssrc: 2}, {index: 2, ssrc: 3}}
		if i > 0 {
			srcs = srcs[:1]
		}
		tr := newTestTrack(srcs...)
		tr.id, tr.kind, tr.owner = string(rune('a'+i)), kind, p
		for i := range tr.layers {
			if x := tr.layers[i].Load(); x != nil {
				x.rate.Store(int64(nominalRate[x.index]))
			}
		}
		s.downs[tr.id] = &subscription{track: tr, down: newTestDown(tr, &fakeWriter{count: true})}
	}
	b.ReportAllocs()
	now := time.Now().UnixNano()
	for b.Loop() {
		now += int64(allocInterval)
		s.allocate(now)
	}
}
