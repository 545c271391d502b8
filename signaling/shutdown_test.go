package signaling_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/token"
)

// rawJoin opens a WebSocket and joins; it returns once joined has come.
func rawJoin(ctx context.Context, ts *testServer, tok string) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(ctx, ts.wsURL(), nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	p, _ := json.Marshal(map[string]any{"v": 1, "type": "join", "id": "j", "payload": map[string]string{"token": tok}})
	if err := c.Write(ctx, websocket.MessageText, p); err != nil {
		return nil, err
	}
	for range 10_000 { // what comes before joined: nothing, or a few events
		_, b, err := c.Read(ctx)
		if err != nil {
			return nil, err
		}
		var env struct{ Type string }
		if json.Unmarshal(b, &env) == nil && env.Type == "joined" {
			return c, nil
		}
	}
	return nil, errors.New("no joined")
}

// TestShutdownClosesEveryoneInParallel: with 500 participants in a lesson,
// some of whom have stopped reading (they will never answer the close
// handshake), Shutdown closes every connection at once: each participant
// who still reads gets the close code 1001, however many stalled clients
// were closed before it, and Shutdown returns once the stalled clients'
// handshakes (5 s) have run out. Closed one after another, each stalled
// client would hold the others up for the 5 s of its handshake.
func TestShutdownClosesEveryoneInParallel(t *testing.T) {
	const n, stalled = 500, 10
	ts := newServer(t) // its idle timeout outlasts 500 joins under -race
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var goingAway, otherwise atomic.Int64
	ended := make(chan struct{}, n)
	for i := range n {
		role := token.RoleStudent
		if i == 0 {
			role = token.RoleTeacher
		}
		tok, err := ts.signer.Issue(token.Claims{Lesson: "bye", User: fmt.Sprint("u", i), Name: fmt.Sprint("U", i), Role: role,
			Permissions: token.DefaultPermissions(role)}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		c, err := rawJoin(ctx, ts, tok)
		if err != nil {
			t.Fatalf("participant %d: %v", i, err)
		}
		defer c.CloseNow()
		if i%(n/stalled) == 1 {
			continue // stops reading: never answers a close
		}
		go func() {
			defer func() { ended <- struct{}{} }()
			for {
				if _, _, err := c.Read(context.Background()); err != nil {
					if websocket.CloseStatus(err) == websocket.StatusGoingAway {
						goingAway.Add(1)
					} else {
						otherwise.Add(1)
						t.Logf("connection ended with %v", err)
					}
					return
				}
			}
		}()
	}
	// A generous context: on a loaded machine 500 handshakes may need a
	// while; one after another, the stalled clients alone take 50 s.
	sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer scancel()
	begun := time.Now()
	ts.sig.Shutdown(sctx)
	took := time.Since(begun)
	for range n - stalled {
		select {
		case <-ended:
		case <-time.After(30 * time.Second):
			t.Fatalf("after Shutdown, %d connections closed with 1001 and %d otherwise; %d still open", goingAway.Load(), otherwise.Load(), n-stalled-int(goingAway.Load()+otherwise.Load()))
		}
	}
	t.Logf("Shutdown of %d connections (%d stalled) took %v", n, stalled, took.Round(time.Millisecond))
	if got := goingAway.Load(); got != n-stalled {
		t.Errorf("%d of %d reading participants were told 1001 (going away); %d connections ended otherwise", got, n-stalled, otherwise.Load())
	}
	if took > 20*time.Second+2*time.Second {
		t.Errorf("Shutdown took %v with a 20 s context", took)
	}
}
