package signaling_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
)

// gatedStore is a live store whose chat appends wait for the test.
type gatedStore struct {
	*live.MemoryStore
	entered chan int      // the size of each batch, as it starts
	gate    chan struct{} // each batch waits for one receive
	mu      sync.Mutex    // guards fail
	fail    bool
}

func (g *gatedStore) AppendChats(ctx context.Context, msgs []live.ChatMessage) ([]live.ChatMessage, error) {
	g.entered <- len(msgs)
	<-g.gate
	g.mu.Lock()
	fail := g.fail
	g.mu.Unlock()
	if fail {
		return nil, errors.New("disk on fire")
	}
	return g.MemoryStore.AppendChats(ctx, msgs)
}

func (g *gatedStore) AppendChat(ctx context.Context, m live.ChatMessage) (live.ChatMessage, error) {
	saved, err := g.AppendChats(ctx, []live.ChatMessage{m})
	if err != nil {
		return live.ChatMessage{}, err
	}
	return saved[0], nil
}

// TestChatAcknowledgedWhenDurable: a chat message is acknowledged and
// shown to anyone only once the store has kept it; while it is being
// written the lesson answers other commands (its lock is not held), and
// messages sent meanwhile are kept together in the next batch. A failed
// write is an error to its sender and is shown to nobody.
func TestChatAcknowledgedWhenDurable(t *testing.T) {
	store := &gatedStore{MemoryStore: live.NewMemoryStore(), entered: make(chan int, 8), gate: make(chan struct{})}
	ts := newServerWith(t, func(c *signaling.Config) {
		c.Limits = signaling.Limits{PerAddress: -1}
		c.LiveStore = store
	})
	teacher := join(t, ts, "D", "teacher", token.RoleTeacher, nil)
	student := join(t, ts, "D", "student", token.RoleStudent, nil)
	request := func(c *peer.Client, typ string, payload any) chan error {
		done := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := c.Request(ctx, typ, payload)
			done <- err
		}()
		return done
	}
	entered := func() int {
		t.Helper()
		select {
		case n := <-store.entered:
			return n
		case <-time.After(10 * time.Second):
			t.Fatal("the store was not asked to write")
			return 0
		}
	}
	chatSeen := func(c *peer.Client, text string, wait time.Duration) bool {
		_, ok := c.WaitEvent("chat.message", wait, func(e signaling.Envelope) bool {
			return strings.Contains(string(e.Payload), `"`+text+`"`)
		})
		return ok
	}

	first := request(teacher, "chat.send", map[string]string{"text": "first"})
	if n := entered(); n != 1 {
		t.Fatalf("first batch of %d messages, want 1", n)
	}
	second := request(student, "chat.send", map[string]string{"text": "second"})
	third := request(teacher, "chat.send", map[string]string{"text": "third"})
	// The lesson's lock is free while the store writes: a hand goes up.
	select {
	case err := <-request(student, "hand.raise", struct{}{}):
		if err != nil {
			t.Fatalf("hand.raise during a chat write: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hand.raise waited for the chat write: the lesson's lock is held across the store")
	}
	select {
	case err := <-first:
		t.Fatalf("first acknowledged (%v) before the store kept it", err)
	default:
	}
	if chatSeen(student, "first", 200*time.Millisecond) {
		t.Fatal("first shown before the store kept it")
	}

	store.gate <- struct{}{} // the first batch is kept
	if err := <-first; err != nil {
		t.Fatalf("first: %v", err)
	}
	if !chatSeen(student, "first", 5*time.Second) {
		t.Fatal("first not delivered after it was kept")
	}
	if n := entered(); n != 2 {
		t.Fatalf("second batch of %d messages, want the 2 sent during the first write", n)
	}
	store.gate <- struct{}{}
	for _, done := range []chan error{second, third} {
		if err := <-done; err != nil {
			t.Fatalf("second batch: %v", err)
		}
	}
	for _, text := range []string{"second", "third"} {
		if !chatSeen(teacher, text, 5*time.Second) || !chatSeen(student, text, 5*time.Second) {
			t.Fatalf("%q not delivered to both", text)
		}
	}

	store.mu.Lock()
	store.fail = true
	store.mu.Unlock()
	lost := request(student, "chat.send", map[string]string{"text": "lost"})
	entered()
	store.gate <- struct{}{}
	var reply *peer.ErrorReply
	if err := <-lost; !errors.As(err, &reply) || reply.Code != "internal" {
		t.Fatalf("a failed write answered %v, want an internal error", err)
	}
	if chatSeen(teacher, "lost", 300*time.Millisecond) {
		t.Fatal("a message the store did not keep was shown")
	}
}

// TestMovedForgetsChatWriter: a lesson whose lease this node lost
// leaves no chat writer behind (it would be kept, keyed by the forgotten
// lesson, for the server's life).
func TestMovedForgetsChatWriter(t *testing.T) {
	ts := newServer(t)
	teacher := join(t, ts, "M", "teacher", token.RoleTeacher, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := teacher.Request(ctx, "chat.send", map[string]string{"text": "hello"}); err != nil {
		t.Fatal(err)
	}
	if n := ts.sig.ChatWriters(); n != 1 {
		t.Fatalf("%d chat writers after a message, want 1", n)
	}
	ts.sig.Moved("M")
	if n := ts.sig.ChatWriters(); n != 0 {
		t.Fatalf("%d chat writers after the lesson moved, want 0", n)
	}
}
