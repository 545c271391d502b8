package signaling

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// TestEnvelopeFrameIsWhatMarshalGives: the envelope the server frames by
// hand is byte for byte json.Marshal's, for request ids that need
// escaping too, so clients that recognise a type by the frame's first
// bytes keep working.
func TestEnvelopeFrameIsWhatMarshalGives(t *testing.T) {
	for _, c := range []struct {
		typ, id string
		payload any
	}{
		{"chat.message", "", map[string]any{"text": "<b>你好</b> & \"bye\"", "id": 7}},
		{TypeOK, "42", struct{}{}},
		{TypeError, "a\"b\\c<d>&\u2028\x01é", &Error{Code: CodeBadRequest, Message: "no"}},
		{TypePong, "x", nil},
	} {
		body, _ := json.Marshal(c.payload)
		want, _ := json.Marshal(Envelope{V: ProtocolVersion, Type: c.typ, ID: c.id, Payload: body})
		f, err := encodeFrame(c.typ, c.id, c.payload)
		if err != nil {
			t.Fatal(err)
		}
		if f[0] != 0x81 || int(f[1]) != len(want) || !bytes.Equal(f[2:], want) {
			t.Errorf("%s %q: framed\\n%q\\nwant header 81 %02x and\\n%q", c.typ, c.id, f, len(want), want)
		}
	}
}

// TestWireConnBoundsEveryWrite: a batch to a client that reads nothing
// fails within 1.5 times the write timeout, and a write after a long
// quiet spell (the deadline set for an earlier write long past) is not
// refused for it.
func TestWireConnBoundsEveryWrite(t *testing.T) {
	const timeout = 100 * time.Millisecond
	server, client := net.Pipe()
	defer client.Close()
	c := &wireConn{Conn: server, timeout: timeout}
	defer c.Close()
	frame := textFrame(append(make([]byte, maxFrameHeader), `{"v":1,"type":"x"}`...))

	// The client reads: writes go through.
	read := make(chan []byte, 1)
	go func() {
		b := make([]byte, 64)
		n, _ := io.ReadAtLeast(client, b, len(frame))
		read <- b[:n]
	}()
	if err := c.writeFrames(&net.Buffers{frame}); err != nil {
		t.Fatal(err)
	}
	if got := <-read; !bytes.Equal(got, frame) {
		t.Fatalf("read %q, want %q", got, frame)
	}

	// Quiet for longer than the deadline set then; the library's next
	// control frame still goes.
	time.Sleep(2 * timeout)
	go func() {
		b := make([]byte, 2)
		n, _ := io.ReadFull(client, b)
		read <- b[:n]
	}()
	if _, err := c.Write([]byte{0x8a, 0}); err != nil { // a pong
		t.Fatalf("a write after a quiet spell: %v", err)
	}
	if got := <-read; !bytes.Equal(got, []byte{0x8a, 0}) {
		t.Fatalf("read %q", got)
	}

	// Nobody reads: the write gives up in time.
	start := time.Now()
	err := c.writeFrames(&net.Buffers{frame, frame})
	took := time.Since(start)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("a write nobody reads ended with %v after %v, want a timeout", err, took)
	}
	if took > 3*timeout+time.Second { // 1.5 × timeout, with room for a loaded machine
		t.Fatalf("a write nobody reads took %v to fail", took)
	}
}

// TestNoDataAfterClose: once the library has written a close frame (a
// session closed from another goroutine), the write loop's next batch is
// refused rather than sent after it.
func TestNoDataAfterClose(t *testing.T) {
	server, client := net.Pipe()
	defer client.Close()
	c := &wireConn{Conn: server, timeout: time.Second}
	defer c.Close()
	closeFrame := []byte{0x88, 2, 0x03, 0xe8} // 1000
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 64)
		n, _ := io.ReadAtLeast(client, b, len(closeFrame))
		got <- b[:n]
	}()
	if _, err := c.Write(closeFrame); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, closeFrame) {
		t.Fatalf("read %x", b)
	}
	frame := textFrame(append(make([]byte, maxFrameHeader), `{"v":1,"type":"x"}`...))
	if err := c.writeFrames(&net.Buffers{frame}); !errors.Is(err, errCloseSent) {
		t.Fatalf("a data frame after the close: %v", err)
	}
}

// TestDirectWriteRestGoesFirst: a frame the socket takes only in part
// (its buffer full, the peer not reading) is finished before anything
// else is written, a control frame of the library's included; frames
// arrive whole and in order once the peer reads.
func TestDirectWriteRestGoesFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		nc, _ := ln.Accept()
		accepted <- nc
	}()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	nc := <-accepted
	if nc == nil {
		t.Fatal("accept failed")
	}
	c := newWireConn(nc)
	defer c.Close()

	var sent bytes.Buffer
	frame := func(i int) []byte {
		return textFrame(append(make([]byte, maxFrameHeader), bytes.Repeat([]byte{byte('a' + i%26)}, 60000)...))
	}
	partial := false
	for i := 0; i < 2000 && !partial; i++ { // 120 MB at most; loopback buffers hold a few MB
		f := frame(i)
		n := c.tryWrite(f)
		sent.Write(f[:n])
		if n < len(f) {
			partial = true
			sent.Write(f[n:]) // pending: goes next
		}
	}
	if !partial {
		t.Fatal("the socket never filled")
	}
	if n := c.tryWrite(frame(0)); n != 0 {
		t.Fatalf("a direct write went past an unfinished frame (%d bytes)", n)
	}
	pong, last := []byte{0x8a, 0}, frame(1)
	done := make(chan error, 1)
	go func() { // each blocks until the peer reads
		_, err := c.Write(pong)
		if err == nil {
			err = c.writeFrames(&net.Buffers{last})
		}
		done <- err
	}()
	sent.Write(pong)
	sent.Write(last)
	time.Sleep(50 * time.Millisecond)
	got := make([]byte, 0, sent.Len())
	buf := make([]byte, 1<<16)
	_ = peer.SetReadDeadline(time.Now().Add(30 * time.Second))
	for len(got) < sent.Len() {
		n, err := peer.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("after %d of %d bytes: %v", len(got), sent.Len(), err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sent.Bytes()) {
		i := 0
		for i < len(got) && got[i] == sent.Bytes()[i] {
			i++
		}
		t.Fatalf("the peer read bytes that differ from those sent from byte %d of %d", i, sent.Len())
	}
}
