package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lectern/lectern/signaling"
)

// Chat message types of the classroom protocol.
const (
	typeChatSend    = "chat.send"
	typeChatMessage = "chat.message"
	chatPrefix      = "bench-chat-"
)

// chatState follows chat messages from the chatters to every student.
type chatState struct {
	listening atomic.Int64         // students following events
	hist      atomic.Pointer[hist] // the current window's fan-out delays
	window    atomic.Int64         // the current window's number; 0 outside one
	seq       atomic.Int64         // the last window's number

	mu       sync.Mutex // guards msgs, talking and chatting
	msgs     map[string]*chatMsg
	talking  []*student
	chatting map[*student]bool
}

type chatMsg struct {
	at         time.Time
	window     int64
	recipients int64
	rejected   string // error code, if refused
	delivered  atomic.Int64
}

func (c *chatState) init() {
	c.hist.Store(new(hist))
	c.msgs = map[string]*chatMsg{}
	c.chatting = map[*student]bool{}
}

func (c *chatState) chatters() []*student {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*student(nil), c.talking...)
}

// startChatters starts a goroutine for each of the first Chatters students
// that is not chatting yet.
func (r *run) startChatters(ctx context.Context, wg *sync.WaitGroup) {
	students := r.snapshotStudents()
	r.chat.mu.Lock()
	defer r.chat.mu.Unlock()
	for i, st := range students {
		if i >= r.cfg.Chatters {
			break
		}
		if r.chat.chatting[st] || st.client == nil {
			continue
		}
		r.chat.chatting[st] = true
		r.chat.talking = append(r.chat.talking, st)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.chatLoop(ctx, st)
		}()
	}
}

func (r *run) chatLoop(ctx context.Context, st *student) {
	// Spread the chatters over the interval.
	phase := time.Duration(rand.Int64N(int64(r.cfg.ChatInterval)))
	select {
	case <-ctx.Done():
		return
	case <-time.After(phase):
	}
	t := time.NewTicker(r.cfg.ChatInterval)
	defer t.Stop()
	for seq := 0; ; seq++ {
		id := fmt.Sprintf("%s%s-%d", chatPrefix, st.id, seq)
		m := &chatMsg{at: time.Now(), window: r.chat.window.Load(), recipients: r.chat.listening.Load()}
		r.chat.mu.Lock()
		r.chat.msgs[id] = m
		r.chat.mu.Unlock()
		_ = st.client.Send(ctx, typeChatSend, id, map[string]string{"text": id})
		select {
		case <-ctx.Done():
			return
		case <-st.client.Done():
			return
		case <-t.C:
		}
	}
}

// onEvent runs for every event pushed to every student.
func (c *chatState) onEvent(env signaling.Envelope, at time.Time) {
	switch env.Type {
	case typeChatMessage:
		var p struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(env.Payload, &p) != nil || !strings.HasPrefix(p.Text, chatPrefix) {
			return
		}
		c.mu.Lock()
		m := c.msgs[p.Text]
		c.mu.Unlock()
		if m == nil {
			return
		}
		m.delivered.Add(1)
		c.hist.Load().add(at.Sub(m.at))
	case signaling.TypeError:
		if !strings.HasPrefix(env.ID, chatPrefix) {
			return
		}
		var e signaling.Error
		_ = json.Unmarshal(env.Payload, &e)
		c.mu.Lock()
		if m := c.msgs[env.ID]; m != nil {
			m.rejected = e.Code
			if m.rejected == "" {
				m.rejected = "unknown"
			}
		}
		c.mu.Unlock()
	}
}

// startWindow begins counting chat for a measuring window.
func (c *chatState) startWindow() int64 {
	w := c.seq.Add(1)
	c.hist.Store(new(hist))
	c.window.Store(w)
	return w
}

// endWindow sums the messages sent during window w.
func (c *chatState) endWindow(w int64, chatters int) Chat {
	h := c.hist.Load()
	c.window.Store(0)
	out := Chat{Chatters: chatters}
	c.mu.Lock()
	for id, m := range c.msgs {
		if m.window != w {
			if m.window < w {
				delete(c.msgs, id) // sent outside any window
			}
			continue
		}
		out.Sent++
		if m.rejected != "" {
			if out.Rejected == nil {
				out.Rejected = map[string]int{}
			}
			out.Rejected[m.rejected]++
		} else {
			out.Expected += uint64(m.recipients)
			out.Delivered += uint64(m.delivered.Load())
		}
		delete(c.msgs, id)
	}
	c.mu.Unlock()
	out.Latency = h.summary()
	return out
}
