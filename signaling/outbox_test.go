package signaling

import (
	"testing"
	"time"
)

// TestOutboxRefusesOnlyALaggingClient: frames queue without a count limit
// while the oldest is younger than maxLag and they fit in maxQueued; past
// either the push is refused (the caller cuts the client). take hands
// them back oldest first in batches of about maxBatch bytes.
func TestOutboxRefusesOnlyALaggingClient(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	frame := make([]byte, 300)
	o := newOutbox()
	for i := range 5000 { // 100 s of a 500-student chat for one client
		if !o.push(outFrame{data: frame, at: t0.Add(time.Duration(i) * time.Millisecond)}) {
			t.Fatalf("frame %d refused after %v", i, time.Duration(i)*time.Millisecond)
		}
	}
	if o.push(outFrame{data: frame, at: t0.Add(maxLag + time.Millisecond)}) {
		t.Fatal("a frame queued behind one older than maxLag was accepted")
	}
	var got []outFrame
	for range 100 {
		batch := o.take(nil)
		if len(batch) == 0 {
			break
		}
		size := 0
		for _, f := range batch {
			size += len(f.data)
		}
		if size > maxBatch {
			t.Fatalf("a batch of %d bytes", size)
		}
		got = append(got, batch...)
		if len(o.frames) == 0 {
			break
		}
	}
	if len(got) != 5000 || !got[0].at.Equal(t0) || !got[4999].at.Equal(t0.Add(4999*time.Millisecond)) {
		t.Fatalf("took %d frames back, first at %v, last at %v", len(got), got[0].at, got[len(got)-1].at)
	}
	// Drained, the client is fine again.
	if !o.push(outFrame{data: frame, at: t0.Add(2 * maxLag)}) {
		t.Fatal("a drained queue refused a frame")
	}

	big := make([]byte, 1<<20)
	o = newOutbox()
	for i := range maxQueued / len(big) {
		if !o.push(outFrame{data: big, at: t0}) {
			t.Fatalf("MiB %d refused", i)
		}
	}
	if o.push(outFrame{data: big, at: t0}) {
		t.Fatalf("more than %d bytes queued", maxQueued)
	}

	o = newOutbox()
	if !o.push(outFrame{close: true, at: t0}) {
		t.Fatal("close refused")
	}
	if !o.push(outFrame{data: frame, at: t0}) || len(o.frames) != 1 {
		t.Fatal("a frame after the close was queued or refused as slow")
	}
}
