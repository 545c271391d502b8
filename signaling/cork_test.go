package signaling_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

// TestBacklogArrivesWholeAndInOrder: frames queued faster than they are
// written go out in corked batches; the client gets every one, in order,
// each a whole message.
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
