package signaling_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
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

// TestPausedReaderGetsEverythingInOrder: frames sent to a client that
// does not read for a while fill its socket (the server's direct write
// stops part-way through a frame), then queue; once it reads, every frame
// arrives whole and in order.
func TestPausedReaderGetsEverythingInOrder(t *testing.T) {
	const n, size = 100, 60000 // 6 MB: more than loopback buffers hold, less than the queue's limit
	ts := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, ts.wsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	join, _ := json.Marshal(map[string]any{"v": 1, "type": "join", "id": "j", "payload": map[string]string{"token": ts.token(t, "P", "student", token.RoleStudent)}})
	if err := conn.Write(ctx, websocket.MessageText, join); err != nil {
		t.Fatal(err)
	}
	var joined signaling.Joined
	for joined.Participant.ID == "" {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var env signaling.Envelope
		if json.Unmarshal(data, &env) == nil && env.Type == signaling.TypeJoined {
			_ = json.Unmarshal(env.Payload, &joined)
		}
	}
	frames := make([][]byte, n)
	for i := range frames {
		body, _ := json.Marshal(map[string]any{"seq": i, "pad": strings.Repeat(string(rune('a'+i%26)), size)})
		frames[i], _ = json.Marshal(signaling.Envelope{V: signaling.ProtocolVersion, Type: "test.seq", Payload: body})
	}
	if got := ts.sig.QueueFrames("P", joined.Participant.ID, frames); got != n {
		t.Fatalf("%d of %d frames taken", got, n)
	}
	time.Sleep(300 * time.Millisecond) // not reading
	for i := 0; i < n; {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		var env signaling.Envelope
		if err := json.Unmarshal(data, &env); err != nil {
			t.Fatalf("frame %d came back broken: %v", i, err)
		}
		if env.Type != "test.seq" {
			continue
		}
		var p struct {
			Seq int
			Pad string
		}
		if err := json.Unmarshal(env.Payload, &p); err != nil || p.Seq != i || p.Pad != strings.Repeat(string(rune('a'+i%26)), size) {
			t.Fatalf("frame %d arrived as %d (%d bytes of padding), err %v", i, p.Seq, len(p.Pad), err)
		}
		i++
	}
}
