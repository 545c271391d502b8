package peer

import (
	"time"

	"github.com/lectern/lectern/signaling"
)

// Follow calls fn on its own goroutine, in order, for every server-pushed
// message that arrives from now on, with the time it was seen. It takes over
// the wake-ups that WaitEvent relies on: a Client that is followed must not
// also be waited on. Following ends when the connection does.
func (c *Client) Follow(fn func(env signaling.Envelope, at time.Time)) {
	c.mu.Lock()
	seen := len(c.events)
	c.mu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			select {
			case <-c.notify:
			case <-c.ctx.Done():
				return
			}
			at := time.Now()
			c.mu.Lock()
			fresh := c.events[seen:]
			seen = len(c.events)
			c.mu.Unlock()
			for _, e := range fresh {
				fn(e, at)
			}
		}
	}()
}
