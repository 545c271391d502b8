package signaling

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestReadFrameIsRawFrame: what an edge reads from the origin becomes the
// same frame rawFrame makes of the message, for every header length and
// for messages longer than the first buffer.
func TestReadFrameIsRawFrame(t *testing.T) {
	msgs := [][]byte{{}, []byte(`{"v":1,"type":"x"}`), bytes.Repeat([]byte("a"), 600), bytes.Repeat([]byte("b"), 70000)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for _, m := range msgs {
			if c.Write(r.Context(), websocket.MessageText, m) != nil {
				return
			}
		}
		_ = c.Close(websocket.StatusNormalClosure, "")
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for i, m := range msgs {
		typ, frame, err := readFrame(ctx, c)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if typ != websocket.MessageText || !bytes.Equal(frame, rawFrame(m)) {
			t.Fatalf("message %d (%d bytes): type %v, frame of %d bytes, want rawFrame's %d", i, len(m), typ, len(frame), len(rawFrame(m)))
		}
	}
	if _, _, err := readFrame(ctx, c); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("after the messages: %v, want the normal close", err)
	}
}
