package bench

import (
	"context"
	"sync"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
)

// pingInterval is how often the bench's clients ping the server, as the
// web client does (webclient/static/room/signal.js): the server closes a
// WebSocket that sent nothing for 45 s (signaling.Config.IdleTimeout).
// Without it the teacher, who sends nothing once publishing, was cut 45 s
// after joining whenever the students' joins took that long (100 and 150
// students on a loaded machine), and the room lost its video.
const pingInterval = 15 * time.Second

// keepAlive pings the teacher and every student that has joined every
// pingInterval until ctx ends; the returned func stops it and waits.
func (r *run) keepAlive(ctx context.Context, teacher *peer.Client) func() {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(pingInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			ping(ctx, teacher)
			for _, c := range r.clients() {
				ping(ctx, c)
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// clients returns the clients of the students that have joined so far.
// It reads them under r.mu, which join sets them under: joins run while
// the keep-alive does.
func (r *run) clients() []*peer.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	cs := make([]*peer.Client, 0, len(r.students))
	for _, st := range r.students {
		if st.client != nil {
			cs = append(cs, st.client)
		}
	}
	return cs
}

// ping sends one ping without waiting for its pong (the server's reply
// is what the read loop discards).
func ping(ctx context.Context, c *peer.Client) {
	if c == nil {
		return
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = c.Send(wctx, signaling.TypePing, "", struct{}{})
}
