package signaling_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
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
// The clients are light: one goroutine per connection reads each frame
// into a buffer it reuses, recognises a chat.message by its first bytes
// and takes the message's sequence number out of its text; nothing is
// decoded. In "shared" they run in the server's process; in "apart" they
// run in a child process (this test binary again), so that the server's
// own CPU per message can be read from its rusage (server-cpu-ms/msg).
// Both share the machine's cores either way.
//
// Reported: p50 and p99 over every (message, recipient) pair
// (recipient-p50-ms, recipient-p99-ms), p50 and worst of the time to the
// last recipient of each message (last-p50-ms, last-max-ms).
//
//	go test ./signaling -run '^$' -bench 'ChatFanout/apart/500' -benchtime 400x -benchmem
func BenchmarkChatFanout(b *testing.B) {
	for _, n := range []int{500, 1000} {
		b.Run(fmt.Sprint("shared/", n), func(b *testing.B) { benchFanoutShared(b, n) })
		b.Run(fmt.Sprint("apart/", n), func(b *testing.B) { benchFanoutApart(b, n) })
	}
}

// fanoutKey signs the benchmark's tokens (newServerWith's key).
var fanoutKey = []byte(strings.Repeat("k", 32))

func benchFanoutShared(b *testing.B, students int) {
	ts := newServerIdle(b, 30*time.Minute) // outlasts the joins and the run
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	f, err := joinFanout(ts.wsURL(), students)
	if err != nil {
		b.Fatal(err)
	}
	defer f.close()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heapPer := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(students+1) / 1024
	time.Sleep(time.Second) // the joins' participant.joined frames are behind everybody now
	b.ResetTimer()
	if err := f.run(b.N); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	f.figures(b.N).report(b)
	b.ReportMetric(heapPer, "KiB-heap/conn(both-ends)")
}

func benchFanoutApart(b *testing.B, students int) {
	ts := newServerIdle(b, 30*time.Minute)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %d", fanoutChildEnv, ts.wsURL(), students, b.N))
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(nil, 1<<20)
	if !lines.Scan() || lines.Text() != "joined" {
		b.Fatalf("the clients' process: %q, %v", lines.Text(), lines.Err())
	}
	time.Sleep(time.Second)
	b.ResetTimer()
	cpu0 := processCPU()
	_, _ = io.WriteString(stdin, "go\n")
	if !lines.Scan() {
		b.Fatalf("the clients' process ended: %v", lines.Err())
	}
	cpu := processCPU() - cpu0
	b.StopTimer()
	var fig fanoutFigures
	if err := json.Unmarshal(lines.Bytes(), &fig); err != nil {
		b.Fatalf("the clients' process: %s", lines.Bytes())
	}
	if fig.Err != "" {
		b.Fatal(fig.Err)
	}
	fig.report(b)
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "server-cpu-ms/msg")
}

// processCPU is the process's user and system time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestMain makes this test binary the fan-out benchmark's clients when
// fanoutChildEnv is set.
func TestMain(m *testing.M) {
	if spec := os.Getenv(fanoutChildEnv); spec != "" {
		os.Exit(fanoutChild(spec))
	}
	os.Exit(m.Run())
}

// fanoutChildEnv, set to "URL STUDENTS MESSAGES", makes this test binary
// the clients of benchFanoutApart (TestMain): it joins, prints "joined",
// waits for a line, sends the messages and prints its fanoutFigures.
const fanoutChildEnv = "LECTERN_FANOUT_CLIENTS"

func fanoutChild(spec string) int {
	var url string
	var students, messages int
	if _, err := fmt.Sscan(spec, &url, &students, &messages); err != nil {
		fmt.Fprintln(os.Stderr, fanoutChildEnv, err)
		return 2
	}
	f, err := joinFanout(url, students)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer f.close()
	fmt.Println("joined")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 2
	}
	var fig fanoutFigures
	if err := f.run(messages); err != nil {
		fig.Err = err.Error()
	} else {
		fig = f.figures(messages)
	}
	out, _ := json.Marshal(fig)
	fmt.Println(string(out))
	return 0
}

// fanout is a teacher and students connected to lesson F.
type fanout struct {
	teacher *fanoutClient
	clients []*fanoutClient
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

func joinFanout(url string, students int) (*fanout, error) {
	signer, err := token.NewSigner(fanoutKey)
	if err != nil {
		return nil, err
	}
	f := &fanout{}
	f.current.Store(-1)
	if f.teacher, err = dialFanout(url, signer, "teacher", token.RoleTeacher, -1, f); err != nil {
		return nil, err
	}
	for i := range students {
		c, err := dialFanout(url, signer, fmt.Sprint("s", i), token.RoleStudent, i, f)
		if err != nil {
			f.close()
			return nil, err
		}
		f.clients = append(f.clients, c)
	}
	return f, nil
}

// run sends n messages, each once the last has reached everybody.
func (f *fanout) run(n int) error {
	f.msgs = make([]fanoutMsg, n)
	for i := range f.msgs {
		f.msgs[i].at = make([]int64, len(f.clients))
		f.msgs[i].left.Store(int32(len(f.clients)))
		f.msgs[i].done = make(chan struct{})
	}
	for i := range n {
		m := &f.msgs[i]
		sender := f.clients[(i*7)%len(f.clients)] // 500 distinct senders before one sends twice
		m.start = time.Now()
		f.current.Store(int64(i))
		if err := sender.send(fmt.Sprint("c", i), "chat.send", map[string]string{"text": fmt.Sprint("fanout-", i, "-")}); err != nil {
			return err
		}
		select {
		case <-m.done:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("message %d: %d of %d students did not receive it within 10 s", i, m.left.Load(), len(f.clients))
		}
	}
	if n := f.late.Load(); n > 0 {
		return fmt.Errorf("%d frames arrived for a message other than the one in flight", n)
	}
	return nil
}

// arrived notes that student got message seq at now.
func (f *fanout) arrived(seq int64, student int, now int64) {
	if seq < 0 || seq != f.current.Load() || seq >= int64(len(f.msgs)) {
		f.late.Add(1)
		return
	}
	m := &f.msgs[seq]
	m.at[student] = now
	if m.left.Add(-1) == 0 {
		close(m.done)
	}
}

// fanoutFigures are a run's results in ms.
type fanoutFigures struct {
	RecipientP50, RecipientP99, LastP50, LastMax float64
	Err                                          string `json:",omitempty"`
}

func (f *fanout) figures(n int) fanoutFigures {
	var all, last []time.Duration
	for i := range f.msgs[:n] {
		m := &f.msgs[i]
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
	return fanoutFigures{RecipientP50: ms(all[len(all)/2]), RecipientP99: ms(all[len(all)*99/100]),
		LastP50: ms(last[len(last)/2]), LastMax: ms(last[len(last)-1])}
}

func (fig fanoutFigures) report(b *testing.B) {
	b.ReportMetric(fig.RecipientP50, "recipient-p50-ms")
	b.ReportMetric(fig.RecipientP99, "recipient-p99-ms")
	b.ReportMetric(fig.LastP50, "last-p50-ms")
	b.ReportMetric(fig.LastMax, "last-max-ms")
}

func (f *fanout) close() {
	if f.teacher != nil {
		f.teacher.close()
	}
	for _, c := range f.clients {
		c.close()
	}
}

// fanoutClient is a participant that does nothing but recognise chat
// messages (fanout.arrived) and send when told.
type fanoutClient struct {
	conn    *websocket.Conn
	student int // index in fanout.clients; -1: not recorded
	f       *fanout
	done    chan struct{}
}

func dialFanout(url string, signer *token.Signer, user string, role token.Role, student int, f *fanout) (*fanoutClient, error) {
	tok, err := signer.Issue(token.Claims{Lesson: "F", User: user, Name: user, Role: role, Permissions: token.DefaultPermissions(role)}, time.Hour)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	c := &fanoutClient{conn: conn, student: student, f: f, done: make(chan struct{})}
	if err := c.send("j", "join", map[string]string{"token": tok}); err != nil {
		_ = conn.CloseNow()
		return nil, err
	}
	for { // until the reply to join; frames before it are other joins'
		_, data, err := conn.Read(ctx)
		if err != nil {
			_ = conn.CloseNow()
			return nil, err
		}
		if bytes.HasPrefix(data, []byte(`{"v":1,"type":"joined"`)) {
			break
		}
		if bytes.HasPrefix(data, []byte(`{"v":1,"type":"error"`)) {
			_ = conn.CloseNow()
			return nil, fmt.Errorf("join: %s", data)
		}
	}
	go c.read()
	return c, nil
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
		c.f.arrived(seq, c.student, now)
	}
}

func (c *fanoutClient) close() {
	_ = c.conn.CloseNow()
	<-c.done
}
