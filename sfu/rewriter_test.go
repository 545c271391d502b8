package sfu

import "testing"

func TestRewriterContinuesAcrossSwitch(t *testing.T) {
	r := rewriter{clockRate: 90000}
	var now int64
	for i := uint16(0); i < 5; i++ {
		s, ts, ok := r.forward(1, 100+i, 1000+uint32(i)*3000, now)
		if !ok || s != 100+i || ts != 1000+uint32(i)*3000 {
			t.Fatalf("first source packet %d: %d %d %v", i, s, ts, ok)
		}
		now += 33e6
	}
	// switch to another source with unrelated numbers
	s, ts, ok := r.forward(2, 60000, 7, now)
	if !ok || s != 105 {
		t.Fatalf("after switch seq = %d, want 105", s)
	}
	if want := uint32(1000 + 4*3000 + 2970); ts != want {
		t.Fatalf("after switch ts = %d, want %d", ts, want)
	}
	// packets from the old source are not mixed in
	if _, _, ok := r.forward(2, 59999, 5, now); ok {
		t.Fatal("packet from before the switch point was forwarded")
	}
	s, _, _ = r.forward(2, 60001, 3007, now)
	if s != 106 {
		t.Fatalf("seq = %d, want 106", s)
	}
}

func TestRewriterWrapAround(t *testing.T) {
	r := rewriter{clockRate: 90000}
	r.forward(1, 65534, 0xfffff000, 0)
	r.forward(1, 65535, 0xfffff000, 0)
	s, ts, ok := r.forward(1, 0, 0x00000bb8, 0) // both wrap
	if !ok || s != 0 || ts != 0xbb8 {
		t.Fatalf("wrap: %d %x %v", s, ts, ok)
	}
	// a switch whose output crosses the wrap
	r2 := rewriter{clockRate: 48000, started: true, srcSSRC: 9, lastSeq: 65535, lastTS: 0xffffffff, highIn: 3, floorIn: 2}
	s, ts, _ = r2.forward(10, 500, 100, 20e6)
	if s != 0 || ts != 959 {
		t.Fatalf("switch across wrap: %d %d", s, ts)
	}
	// reordered packet in the same source after wrap keeps its place
	r.forward(1, 2, 0, 0)
	if s, _, ok := r.forward(1, 1, 0, 0); !ok || s != 1 {
		t.Fatalf("reordered packet: %d %v", s, ok)
	}
}

func TestRewriterDropKeepsOutputGapless(t *testing.T) {
	r := rewriter{clockRate: 90000}
	r.forward(1, 10, 0, 0)
	r.drop(1, 11)
	r.drop(1, 12)
	s, _, ok := r.forward(1, 13, 0, 0)
	if !ok || s != 11 {
		t.Fatalf("after two drops seq = %d, want 11", s)
	}
	if _, _, ok := r.forward(1, 12, 0, 0); ok {
		t.Fatal("a dropped packet came through later")
	}
}

func TestRewriterResync(t *testing.T) {
	r := rewriter{clockRate: 90000}
	r.forward(1, 10, 100, 0)
	r.resync = true
	s, _, _ := r.forward(1, 500, 100000, 1e9)
	if s != 11 {
		t.Fatalf("resync seq = %d, want 11", s)
	}
}
