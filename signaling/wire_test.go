package signaling_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

// TestBacklogArrivesWholeAndInOrder: frames queued faster than they are
// written go out in batches (one writev each); the client gets every one,
// in order, each a whole message.
func TestBacklogArrivesWholeAndInOrder(t *testing.T) {
	const n = 3000
	ts := newServer(t)
	c := join(t, ts, "B", "student", token.RoleStudent, nil)
	frames := make([][]byte, n)
	for i := range frames {
		body, _ := json.Marshal(map[string]any{"seq": i, "pad": fmt.Sprintf("%0*d", i%700, 0)})
		frames[i], _ = json.Marshal(signaling.Envelope{V: signaling.ProtocolVersion, Type: "test.seq", Payload: body})
	}
	if got := ts.sig.QueueFrames("B", c.Joined.Participant.ID, frames); got != n {
		t.Fatalf("%d of %d frames queued", got, n)
	}
	deadline := time.Now().Add(30 * time.Second)
	var seqs []int
	for len(seqs) < n && time.Now().Before(deadline) {
		seqs = seqs[:0]
		for _, e := range c.Events() {
			if e.Type != "test.seq" {
				continue
			}
			var p struct{ Seq int }
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				t.Fatalf("a frame came back broken: %v", err)
			}
			seqs = append(seqs, p.Seq)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(seqs) != n {
		t.Fatalf("%d of %d frames arrived", len(seqs), n)
	}
	for i, s := range seqs {
		if s != i {
			t.Fatalf("frame %d arrived as %d", i, s)
		}
	}
}

// TestFramesOfEveryHeaderLength: the server frames its messages itself;
// payloads at each boundary of the WebSocket length encoding (7 bits,
// 16 bits, 64 bits) reach a client of the WebSocket library whole.
func TestFramesOfEveryHeaderLength(t *testing.T) {
	ts := newServer(t)
	c := join(t, ts, "H", "student", token.RoleStudent, nil)
	const overhead = len(`{"v":1,"type":"test.len","payload":{"pad":""}}`)
	sizes := []int{overhead, 125, 126, 127, 0xffff, 0x10000, 300000}
	frames := make([][]byte, len(sizes))
	for i, n := range sizes {
		body, _ := json.Marshal(map[string]string{"pad": strings.Repeat("x", n-overhead)})
		frames[i], _ = json.Marshal(signaling.Envelope{V: signaling.ProtocolVersion, Type: "test.len", Payload: body})
		if len(frames[i]) != n {
			t.Fatalf("frame %d is %d bytes, want %d", i, len(frames[i]), n)
		}
	}
	if got := ts.sig.QueueFrames("H", c.Joined.Participant.ID, frames); got != len(frames) {
		t.Fatalf("%d of %d frames queued", got, len(frames))
	}
	var got []int
	for range 100 {
		got = got[:0]
		for _, e := range c.Events() {
			if e.Type == "test.len" {
				var p struct{ Pad string }
				if err := json.Unmarshal(e.Payload, &p); err != nil {
					t.Fatalf("a frame came back broken: %v", err)
				}
				got = append(got, len(p.Pad)+overhead)
			}
		}
		if len(got) == len(sizes) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !slices.Equal(got, sizes) {
		t.Fatalf("frames of %v bytes arrived, want %v", got, sizes)
	}
	// The connection is still sound: a request after them is answered.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Request(ctx, signaling.TypePing, struct{}{}); err != nil {
		t.Fatal(err)
	}
}
