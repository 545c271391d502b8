package signaling

import (
	"context"
	"sync"
	"time"

	"github.com/lectern/lectern/classroom/live"
)

// Chat is written behind the lesson's lock: a chat.send is checked by the
// classroom (live.Lesson.PrepareChat) on the sender's goroutine, then
// queued to its lesson's chatWriter. The writer keeps everything queued
// while its last write was in flight in one transaction (one commit, one
// fsync), then acknowledges each sender and delivers the messages, in the
// order of their ids. Nobody is acknowledged, and nobody sees a message,
// before it is durable; a failed write is an error to each of its senders.
// There is no timer: a batch is whatever arrived during the write before
// it.

// maxChatBatch bounds the messages of one transaction.
const maxChatBatch = 256

// chatWriteTimeout bounds one batch's write.
const chatWriteTimeout = 10 * time.Second

// pendingChat is a prepared message and who to acknowledge.
type pendingChat struct {
	ss  *session
	id  string // the request id of chat.send
	msg live.ChatMessage
}

// chatWriter writes one lesson's chat.
type chatWriter struct {
	srv      *Server
	lessonID string
	l        *live.Lesson

	mu      sync.Mutex // guards queue and running
	queue   []pendingChat
	running bool // a goroutine is draining queue
}

// chatWriterFor returns lesson l's writer, creating it on first use.
func (s *Server) chatWriterFor(lessonID string, l *live.Lesson) *chatWriter {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.chats[l]
	if w == nil {
		w = &chatWriter{srv: s, lessonID: lessonID, l: l}
		s.chats[l] = w
	}
	return w
}

// add queues a message and starts the drain if none runs. When the
// server is shutting down, every message queued meanwhile (other
// senders' too) is answered with an error instead.
func (w *chatWriter) add(p pendingChat) {
	w.mu.Lock()
	w.queue = append(w.queue, p)
	start := !w.running
	w.running = true
	w.mu.Unlock()
	if !start || w.srv.goAsync(w.drain) {
		return
	}
	w.mu.Lock()
	dropped := w.queue
	w.queue, w.running = nil, false
	w.mu.Unlock()
	for _, d := range dropped {
		d.ss.sendError(d.id, errorf(CodeInternal, "the server is shutting down"))
	}
}

// drain writes batches until the queue is empty.
func (w *chatWriter) drain() {
	var batch []pendingChat
	for {
		w.mu.Lock()
		n := min(len(w.queue), maxChatBatch)
		if n == 0 {
			w.queue, w.running = nil, false
			w.mu.Unlock()
			return
		}
		batch = append(batch[:0], w.queue[:n]...)
		clear(w.queue[:n])
		w.queue = w.queue[n:]
		w.mu.Unlock()
		w.write(batch)
		clear(batch)
	}
}

// write keeps one batch, then acknowledges and delivers it.
func (w *chatWriter) write(batch []pendingChat) {
	msgs := make([]live.ChatMessage, len(batch))
	for i, p := range batch {
		msgs[i] = p.msg
	}
	ctx, cancel := context.WithTimeout(context.Background(), chatWriteTimeout)
	saved, err := w.l.StoreChats(ctx, msgs)
	cancel()
	if err != nil {
		le, _ := liveError(err)
		for _, p := range batch {
			p.ss.send(TypeError, p.id, le)
		}
		return
	}
	var res live.Result
	for i, p := range batch {
		if p.id != "" {
			p.ss.send(TypeOK, p.id, struct{}{})
		}
		res.Events = append(res.Events, w.l.ChatStored(saved[i]).Events...)
	}
	w.srv.apply(w.lessonID, w.l, res)
}

// sendChat handles chat.send: checked now, acknowledged when durable.
func (ss *session) sendChat(env Envelope) error {
	msg, err := ss.live.PrepareChatPayload(ss.pid, env.Payload)
	if err != nil {
		if le, ok := liveError(err); ok {
			ss.send(TypeError, env.ID, le)
			return nil
		}
		return err
	}
	ss.srv.chatWriterFor(ss.lesson, ss.live).add(pendingChat{ss: ss, id: env.ID, msg: msg})
	return nil
}
