package signaling_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/token"
)

// BenchmarkChatFanout measures the time from a chat.send leaving its
// sender to each of N connected students receiving the chat.message, over
// real WebSockets on loopback, one message at a time (the next is sent
// once everybody has the last). The senders take turns among the
// students, so that no one's rate limit paces the run.
//
// The clients share the server's process and its two cores, so they are
// kept light: one goroutine per connection reads each frame into a buffer
// it reuses, recognises a chat.message by its first bytes and takes the
// message's sequence number out of its text; nothing is decoded.
//
// Reported: p50 and p99 over every (message, recipient) pair
// (recipient-p50-ms, recipient-p99-ms), p50 and worst of the time to the
// last recipient of each message (last-p50-ms, last-max-ms), and the heap
// per connection, both ends included.
//
//	go test ./signaling -run '^$' -bench 'ChatFanout/500' -benchtime 200x -benchmem
func BenchmarkChatFanout(b *testing.B) {
	for _, n := range []int{500, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchFanout(b, n) })
	}
}

func benchFanout(b *testing.B, students int) {
	// The students send little: the idle timeout must outlast the joins
	// on a loaded machine and the run.
	ts := newServerIdle(b, 30*time.Minute)
	rec := &fanoutRecord{}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	teacher := dialFanout(b, ts, "teacher", token.RoleTeacher, -1, rec)
	defer teacher.close()
	clients := make([]*fanoutClient, students)
	for i := range clients {
		clients[i] = dialFanout(b, ts, fmt.Sprint("s", i), token.RoleStudent, i, rec)
		defer clients[i].close()
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heapPer := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(students+1) / 1024
	// The joins' participant.joined frames are behind everybody now.
	time.Sleep(time.Second)

	rec.reset(b.N, students)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := &rec.msgs[i]
		sender := clients[(i*7)%students] // 500 distinct senders before one sends twice
		m.start = time.Now()
		rec.current.Store(int64(i))
		if err := sender.send(fmt.Sprint("c", i), "chat.send", map[string]string{"text": fmt.Sprint("fanout-", i, "-")}); err != nil {
			b.Fatal(err)
		}
		select {
		case <-m.done:
		case <-time.After(10 * time.Second):
			b.Fatalf("message %d: %d of %d students did not receive it within 10 s", i, m.left.Load(), students)
		}
	}
	b.StopTimer()
	if n := rec.late.Load(); n > 0 {
		b.Fatalf("%d frames arrived for a message other than the one in flight", n)
	}
	var all, last []time.Duration
	for i := range rec.msgs[:b.N] {
		m := &rec.msgs[i]
		worst := time.Duration(0)
		for _, at := range m.at {
			d := time.Duration(at - m.start.UnixNano())
			all = append(all, d)
			worst = max(worst, d)
		}
		last = append(last, worst)
	}
	slices.Sort(all)
	slices.Sort(last)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(heapPer, "KiB-heap/conn(both-ends)")
	b.ReportMetric(ms(all[len(all)/2]), "recipient-p50-ms")
	b.ReportMetric(ms(all[len(all)*99/100]), "recipient-p99-ms")
	b.ReportMetric(ms(last[len(last)/2]), "last-p50-ms")
	b.ReportMetric(ms(last[len(last)-1]), "last-max-ms")
}

// fanoutRecord keeps each message's receipt times.
type fanoutRecord struct {
	msgs    []fanoutMsg
	current atomic.Int64 // the message in flight
	late    atomic.Int64 // receipts of a message not in flight
}

type fanoutMsg struct {
	start time.Time
	at    []int64 // by student: when it arrived (Unix ns)
	left  atomic.Int32
	done  chan struct{}
}

func (r *fanoutRecord) reset(n, students int) {
	r.msgs = make([]fanoutMsg, n)
	for i := range r.msgs {
		r.msgs[i].at = make([]int64, students)
		r.msgs[i].left.Store(int32(students))
		r.msgs[i].done = make(chan struct{})
	}
	r.current.Store(-1)
}

// arrived notes that student got message seq now.
func (r *fanoutRecord) arrived(seq int64, student int, now int64) {
	if seq < 0 || seq != r.current.Load() || seq >= int64(len(r.msgs)) {
		r.late.Add(1)
		return
	}
	m := &r.msgs[seq]
	m.at[student] = now
	if m.left.Add(-1) == 0 {
		close(m.done)
	}
}

// fanoutClient is a participant that does nothing but recognise chat
// messages (fanoutRecord) and send when told.
type fanoutClient struct {
	conn    *websocket.Conn
	student int // index in the record; -1: not recorded
	rec     *fanoutRecord
	done    chan struct{}
}

func dialFanout(b *testing.B, ts *testServer, user string, role token.Role, student int, rec *fanoutRecord) *fanoutClient {
	b.Helper()
	tok, err := ts.signer.Issue(token.Claims{Lesson: "F", User: user, Name: user, Role: role, Permissions: token.DefaultPermissions(role)}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, ts.wsURL(), nil)
	if err != nil {
		b.Fatal(err)
	}
	conn.SetReadLimit(1 << 20)
	c := &fanoutClient{conn: conn, student: student, rec: rec, done: make(chan struct{})}
	if err := c.send("j", "join", map[string]string{"token": tok}); err != nil {
		b.Fatal(err)
	}
	for { // until the reply to join; frames before it are other joins'
		_, data, err := conn.Read(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if bytes.HasPrefix(data, []byte(`{"v":1,"type":"joined"`)) {
			break
		}
		if bytes.HasPrefix(data, []byte(`{"v":1,"type":"error"`)) {
			b.Fatalf("join: %s", data)
		}
	}
	go c.read()
	return c
}

func (c *fanoutClient) send(id, typ string, payload any) error {
	p, _ := json.Marshal(payload)
	f, _ := json.Marshal(map[string]any{"v": 1, "type": typ, "id": id, "payload": json.RawMessage(p)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.conn.Write(ctx, websocket.MessageText, f)
}

var (
	fanoutChat = []byte(`{"v":1,"type":"chat.message",`)
	fanoutText = []byte(`"text":"fanout-`)
)

// read takes frames until the connection ends.
func (c *fanoutClient) read() {
	defer close(c.done)
	buf := make([]byte, 0, 4096)
	for {
		_, r, err := c.conn.Reader(context.Background())
		if err != nil {
			return
		}
		buf = buf[:0]
		for {
			if len(buf) == cap(buf) {
				buf = slices.Grow(buf, len(buf))
			}
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return
			}
		}
		now := time.Now().UnixNano()
		if c.student < 0 || !bytes.HasPrefix(buf, fanoutChat) {
			continue
		}
		i := bytes.Index(buf, fanoutText)
		if i < 0 {
			continue
		}
		seq := int64(0)
		for _, d := range buf[i+len(fanoutText):] {
			if d < '0' || d > '9' {
				break
			}
			seq = seq*10 + int64(d-'0')
		}
		c.rec.arrived(seq, c.student, now)
	}
}

func (c *fanoutClient) close() {
	_ = c.conn.CloseNow()
	<-c.done
}
