package sfu

import (
	"testing"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

func TestLayerIndex(t *testing.T) {
	none := func(int) bool { return false }
	for rid, want := range map[string]int{"q": 0, "h": 1, "f": 2, "l": 0, "m": 1, "0": 0, "2": 2, "x": 0} {
		if got := layerIndex(rid, none); got != want {
			t.Errorf("layerIndex(%q) = %d, want %d", rid, got, want)
		}
	}
	if got := layerIndex("x", func(i int) bool { return i == 0 }); got != 1 {
		t.Errorf("unknown rid with 0 taken = %d, want 1", got)
	}
}

func TestSimulcastSSRCs(t *testing.T) {
	const head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
	parse := func(s string) *sdp.SessionDescription {
		var d sdp.SessionDescription
		if err := d.UnmarshalString(s); err != nil {
			t.Fatal(err)
		}
		return &d
	}
	m := simulcastSSRCs(parse(head + "a=ssrc-group:FID 1 2\r\na=ssrc-group:SIM 11 22 33\r\na=ssrc:11 cname:x\r\n"))
	if len(m) != 3 || m[11] != 0 || m[22] != 1 || m[33] != 2 {
		t.Fatalf("simulcastSSRCs = %v", m)
	}
	if simulcastSSRCs(parse(head+"a=ssrc-group:FID 1 2\r\n")) != nil {
		t.Fatal("SSRCs found in an SDP without SIM")
	}
}

func TestMaxLayerFor(t *testing.T) {
	tr := newTestTrack(&layerSource{index: 0}, &layerSource{index: 1}, &layerSource{index: 2})
	tr.layers[2].Load().width.Store(1280)
	tr.layers[2].Load().height.Store(720)
	view := func(w, h int, visible bool) uint64 {
		v := uint64(viewSet) | uint64(w) | uint64(h)<<16
		if !visible {
			v |= viewHidden
		}
		return v
	}
	tests := []struct {
		name string
		view uint64
		want int
	}{
		{"not told", 0, 2},
		{"no limit", view(0, 0, true), 2},
		{"thumbnail", view(320, 180, true), 0},
		{"a little over the quarter layer", view(330, 185, true), 0},
		{"half", view(600, 340, true), 1},
		{"full", view(1280, 720, true), 2},
		{"bigger than full", view(2560, 1440, true), 2},
		{"hidden", view(640, 360, false), layerNone},
	}
	for _, tt := range tests {
		if got := maxLayerFor(tr, tt.view); got != tt.want {
			t.Errorf("%s: maxLayerFor = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestSpeakers(t *testing.T) {
	p1 := &Participant{id: "teacher"}
	p2 := &Participant{id: "student"}
	mic := func(p *Participant, level uint8, n int) *Track {
		tr := &Track{owner: p, source: SourceMicrophone, kind: webrtc.RTPCodecTypeAudio, audioLevelID: 1}
		tr.levelSum.Store(uint64(127-int(level)) * uint64(n))
		tr.levelN.Store(uint64(n))
		return tr
	}
	var st speakerState
	ev, changed := st.update([]*Track{mic(p1, 30, 10), mic(p2, 90, 10)})
	if !changed || ev.Active != "teacher" || len(ev.Speaking) != 1 {
		t.Fatalf("teacher at -30 dBov, student at -90: %+v changed=%v", ev, changed)
	}
	if _, changed := st.update([]*Track{mic(p1, 32, 10), mic(p2, 90, 10)}); changed {
		t.Fatal("a level change alone was reported")
	}
	ev, changed = st.update([]*Track{mic(p1, 127, 10), mic(p2, 127, 10)})
	if !changed || ev.Active != "teacher" || len(ev.Speaking) != 0 {
		t.Fatalf("silence: %+v changed=%v (the active speaker stays)", ev, changed)
	}
	ev, _ = st.update([]*Track{mic(p1, 40, 10), mic(p2, 20, 10)})
	if ev.Active != "student" || len(ev.Speaking) != 2 || ev.Speaking[0].ParticipantID != "student" {
		t.Fatalf("both speaking, student louder: %+v", ev)
	}
}
