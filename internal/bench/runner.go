package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/token"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// run is the state of one Run.
type run struct {
	cfg    Config
	tgt    *target
	stamps *peer.Stamps
	layers map[uint32]string // teacher's video SSRC → layer name

	delays atomic.Pointer[hist] // the current window's packet delays
	chat   chatState

	mu       sync.Mutex // guards students
	students []*student
	next     int // id of the next student
}

// Run performs one benchmark and returns its report. It stops early, with
// what it has measured, when ctx ends.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	rep := &Report{Tool: "lectern bench", Version: ReportVersion, StartedAt: time.Now().UTC(), Machine: readMachine(),
		Params: params(cfg)}
	r := &run{cfg: cfg, stamps: peer.NewStamps()}
	r.delays.Store(new(hist))
	r.chat.init()
	if cfg.URL == "" {
		r.tgt, err = startServer(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("bench: start server: %w", err)
		}
	} else {
		r.tgt = remoteServer(cfg)
	}
	defer r.tgt.close()
	if _, err := sampleProc(cfg.ServerPID); err != nil {
		return nil, fmt.Errorf("bench: sample server process: %w", err)
	}

	tc, tpub, err := r.startTeacher(ctx, rep)
	if err != nil {
		return nil, err
	}
	defer tpub.Close()
	defer tc.Close()
	defer r.closeStudents()
	defer r.keepAlive(ctx, tc)()

	cfg.Logger.Info("baseline: teacher only", "window", cfg.Baseline)
	base, err := r.sampleWindow(ctx, cfg.Baseline)
	if err != nil {
		return nil, err
	}
	rep.Baseline = base

	var sizes []int
	if cfg.Ramp {
		for n := cfg.Step; n <= cfg.Max; n += cfg.Step {
			sizes = append(sizes, n)
		}
		if len(sizes) == 0 || sizes[len(sizes)-1] != cfg.Max {
			sizes = append(sizes, cfg.Max)
		}
	} else {
		sizes = []int{cfg.Subscribers}
	}
	var chatWG sync.WaitGroup
	chatCtx, stopChat := context.WithCancel(ctx)
	defer func() { stopChat(); chatWG.Wait() }()
	for _, n := range sizes {
		join, err := r.grow(ctx, n)
		if err != nil {
			return nil, err
		}
		r.startChatters(chatCtx, &chatWG)
		settle(ctx, time.Second)
		cfg.Logger.Info("measuring", "students", n, "window", cfg.Duration)
		st, err := r.measure(ctx, n, join, rep.Baseline)
		if err != nil {
			if errors.Is(err, context.Canceled) && len(rep.Steps) > 0 {
				break
			}
			return nil, err
		}
		rep.Steps = append(rep.Steps, st)
		cfg.Logger.Info("step", "students", n, "held", st.Held, "loss", st.Loss.Ratio, "p99_ms", st.Delay.P99Ms,
			"cpu_pct", st.Server.CPUPercent, "reasons", st.Reasons)
		if cfg.Ramp {
			if !st.Held {
				break
			}
		}
	}
	if cfg.Ramp {
		rep.Capacity = capacity(rep.Steps, cfg.Max)
	}
	rep.FinishedAt = time.Now().UTC()
	return rep, nil
}

func params(cfg Config) Params {
	p := Params{Mode: "fixed", Target: "in-process", ServerPID: cfg.ServerPID, Lesson: cfg.Lesson,
		Subscribers: cfg.Subscribers, Step: cfg.Step, Max: cfg.Max, Chatters: cfg.Chatters,
		ChatIntervalS: cfg.ChatInterval.Seconds(), DurationS: cfg.Duration.Seconds(), BaselineS: cfg.Baseline.Seconds(),
		Layers: cfg.Layers, MediaDir: cfg.MediaDir, JoinConcurrency: cfg.JoinConcurrency,
		PaceKbps: cfg.PaceKbps, DeafTeacher: cfg.DeafTeacher,
		LossLimit: cfg.LossLimit, DelayLimitMs: ms(cfg.DelayLimit),
		Sampled: "this process: the server and every synthetic peer together"}
	if cfg.Ramp {
		p.Mode = "ramp"
	}
	if cfg.URL != "" {
		p.Target = cfg.URL
		if cfg.ServerPID != 0 {
			p.Sampled = fmt.Sprintf("the server process alone (pid %d)", cfg.ServerPID)
		} else {
			p.Sampled = "this process: the synthetic peers only (no --server-pid given)"
		}
	}
	return p
}

func capacity(steps []Step, max int) *Capacity {
	c := &Capacity{StoppedAt: max, Reason: "reached the maximum"}
	for _, s := range steps {
		if !s.Held {
			c.StoppedAt = s.Subscribers
			c.Reason = fmt.Sprint(s.Reasons)
			return c
		}
		c.Subscribers = s.Subscribers
	}
	if len(steps) > 0 && steps[len(steps)-1].Subscribers < max {
		c.StoppedAt = steps[len(steps)-1].Subscribers
		c.Reason = "interrupted"
	}
	return c
}

func settle(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (r *run) issue(user string, role token.Role) (string, error) {
	return r.tgt.signer.Issue(token.Claims{Lesson: r.cfg.Lesson, User: user, Name: user, Role: role,
		Permissions: token.DefaultPermissions(role), Operator: true}, 6*time.Hour)
}

// startTeacher joins the teacher, publishes and waits for its transport.
func (r *run) startTeacher(ctx context.Context, rep *Report) (*peer.Client, teacher, error) {
	// The pacer comes after the stamp: a packet is stamped when it
	// leaves the pacer, so delay counts from the teacher's wire.
	extra := []interceptor.Factory{peer.StampSender(r.stamps)}
	if kbps := r.cfg.PaceKbps; kbps > 0 {
		extra = append(extra, peer.Pacer(kbps*1000))
	}
	api, err := peer.NewAPIWith(extra...)
	if err != nil {
		return nil, nil, err
	}
	pub, files, err := newTeacher(api, r.cfg.MediaDir, r.cfg.Layers, r.cfg.Video, r.cfg.DeafTeacher)
	if err != nil {
		return nil, nil, err
	}
	rep.Params.Media = files
	tok, err := r.issue("bench-teacher", token.RoleTeacher)
	if err != nil {
		pub.Close()
		return nil, nil, err
	}
	jctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := peer.Join(jctx, r.tgt.wsURL, tok, nil)
	if err != nil {
		pub.Close()
		return nil, nil, fmt.Errorf("bench: teacher join: %w", err)
	}
	if err := publish(jctx, c, pub); err != nil {
		c.Close()
		pub.Close()
		return nil, nil, fmt.Errorf("bench: teacher publish: %w", err)
	}
	if err := peer.WaitConnected(jctx, pub.PeerConnection()); err != nil {
		c.Close()
		pub.Close()
		return nil, nil, fmt.Errorf("bench: teacher's connection: %w", err)
	}
	r.layers = layerNames(pub.PeerConnection())
	for ssrc, name := range r.layers {
		rep.Teacher.Layers = append(rep.Teacher.Layers, Layer{Name: name, SSRC: ssrc})
	}
	return c, pub, nil
}

// grow joins students until there are n, JoinConcurrency at a time, and
// returns their join times.
func (r *run) grow(ctx context.Context, n int) (Join, error) {
	h := new(hist)
	r.mu.Lock()
	have := len(r.students)
	r.mu.Unlock()
	var failed atomic.Int64
	sem := make(chan struct{}, r.cfg.JoinConcurrency)
	var wg sync.WaitGroup
	for i := have; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			st, err := r.join(ctx)
			if err != nil {
				failed.Add(1)
				r.cfg.Logger.Warn("student join failed", "err", err)
				return
			}
			h.add(st.joinTime)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return Join{}, ctx.Err()
	}
	return Join{Latency: h.summary(), Failed: int(failed.Load())}, nil
}

// join adds one student and waits for its first complete video frame. A
// student whose join fails is kept (and counted as not receiving) so that
// the room's size is what was asked for.
func (r *run) join(ctx context.Context) (*student, error) {
	r.mu.Lock()
	st := newStudent(fmt.Sprintf("bench-student-%04d", r.next))
	r.next++
	r.students = append(r.students, st)
	r.mu.Unlock()
	api, err := peer.NewAPIWith(peer.StampReceiver(r.stamps, func(p peer.ReceivedPacket) { st.onPacket(r, p) }))
	if err != nil {
		return st, err
	}
	if st.sub, err = peer.NewSubscriber(api); err != nil {
		return st, err
	}
	st.sub.CountOnly = !r.cfg.Frames
	tok, err := r.issue(st.id, token.RoleStudent)
	if err != nil {
		return st, err
	}
	jctx, cancel := context.WithTimeout(ctx, r.cfg.JoinTimeout)
	defer cancel()
	t0 := time.Now()
	c, err := peer.Join(jctx, r.tgt.wsURL, tok, st.sub)
	if err != nil {
		return st, err
	}
	r.mu.Lock() // the keep-alive reads it while students join (keepalive.go)
	st.client = c
	r.mu.Unlock()
	st.client.Follow(func(env signaling.Envelope, at time.Time) { r.chat.onEvent(env, at) })
	r.chat.listening.Add(1)
	v := st.sub.WaitTrack(webrtc.RTPCodecTypeVideo, time.Until(t0.Add(r.cfg.JoinTimeout)))
	if v == nil {
		return st, fmt.Errorf("%s: no video track within %v", st.id, r.cfg.JoinTimeout)
	}
	if !v.WaitKeyframe(time.Until(t0.Add(r.cfg.JoinTimeout))) {
		return st, fmt.Errorf("%s: no keyframe within %v", st.id, r.cfg.JoinTimeout)
	}
	// The first keyframe's first packet: a CountOnly student marks its
	// first frame only at the frame's last packet, which may not have come
	// yet when WaitKeyframe returns.
	st.joinTime = v.Stats().FirstKeyframeAt.Sub(t0)
	st.joined = true
	return st, nil
}

func (r *run) snapshotStudents() []*student {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*student(nil), r.students...)
}

func (r *run) closeStudents() {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, st := range r.snapshotStudents() {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			st.close()
		}()
	}
	wg.Wait()
}

// sampleWindow measures only the server process for d.
func (r *run) sampleWindow(ctx context.Context, d time.Duration) (Server, error) {
	p0, err := sampleProc(r.cfg.ServerPID)
	if err != nil {
		return Server{}, err
	}
	settle(ctx, d)
	if ctx.Err() != nil {
		return Server{}, ctx.Err()
	}
	p1, err := sampleProc(r.cfg.ServerPID)
	if err != nil {
		return Server{}, err
	}
	return serverFigures(p0, p1), nil
}

func serverFigures(p0, p1 procSample) Server {
	wall := p1.At.Sub(p0.At).Seconds()
	cpu := (p1.CPU - p0.CPU).Seconds()
	return Server{WindowS: round(wall, 3), CPUSeconds: round(cpu, 3), CPUPercent: round(100*cpu/wall, 1),
		RSSMB: round(float64(p1.RSS)/(1<<20), 1), PeakRSSMB: round(float64(p1.HWM)/(1<<20), 1), Threads: p1.Thread,
		LoadAvg1: loadAvg()[0]}
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// measure runs one window with n students.
func (r *run) measure(ctx context.Context, n int, join Join, base Server) (Step, error) {
	students := r.snapshotStudents()
	c0 := make([]counts, len(students))
	f0 := make([]int, len(students))
	for i, st := range students {
		c0[i] = st.counts()
		if st.sub != nil {
			f0[i] = st.videoFrames()
		}
	}
	delays := new(hist)
	r.delays.Store(delays)
	chat0 := r.chat.startWindow()
	p0, err := sampleProc(r.cfg.ServerPID)
	if err != nil {
		return Step{}, err
	}
	settle(ctx, r.cfg.Duration)
	if ctx.Err() != nil {
		return Step{}, ctx.Err()
	}
	p1, err := sampleProc(r.cfg.ServerPID)
	if err != nil {
		return Step{}, err
	}
	wall := p1.At.Sub(p0.At).Seconds()
	s := Step{Subscribers: n, WindowS: round(wall, 3), Join: join, Layers: map[string]int{},
		Server: serverFigures(p0, p1)}
	var tot counts
	var kbpsSum float64
	s.Bitrate.MinKbps = math.Inf(1)
	frames := 0
	for i, st := range students {
		d := st.counts().sub(c0[i])
		tot.videoPackets += d.videoPackets
		tot.videoExpected += d.videoExpected
		tot.audioPackets += d.audioPackets
		tot.audioExpected += d.audioExpected
		kbps := float64(d.bytes) * 8 / 1000 / wall
		kbpsSum += kbps
		s.Bitrate.MinKbps = math.Min(s.Bitrate.MinKbps, kbps)
		s.Bitrate.MaxKbps = math.Max(s.Bitrate.MaxKbps, kbps)
		fr := 0
		if st.sub != nil {
			fr = st.videoFrames() - f0[i]
		}
		frames += fr
		if fr > 0 {
			s.Receiving++
		}
		name, ok := r.layers[st.layer.Load()]
		if !ok || fr == 0 {
			name = "none"
		}
		s.Layers[name]++
	}
	if len(students) == 0 {
		s.Bitrate.MinKbps = 0
	} else {
		s.Bitrate.MeanKbps = round(kbpsSum/float64(len(students)), 1)
		s.FPS = round(float64(frames)/float64(len(students))/wall, 1)
	}
	s.Bitrate.MinKbps, s.Bitrate.MaxKbps = round(s.Bitrate.MinKbps, 1), round(s.Bitrate.MaxKbps, 1)
	s.Loss = lossOf(tot)
	s.Delay = delays.summary()
	// Deliveries of the window's last messages may still be on their way.
	settle(ctx, 300*time.Millisecond)
	s.Chat = r.chat.endWindow(chat0, len(r.chat.chatters()))
	s.PacketsPerSec = round(float64(tot.videoPackets+tot.audioPackets)/wall, 0)
	if cores := s.Server.CPUSeconds / wall; cores > 0 {
		s.PacketsPerCoreSecond = round(s.PacketsPerSec/cores, 0)
	}
	if n > 0 {
		s.CPUPerSubscriberPct = round((s.Server.CPUPercent-base.CPUPercent)/float64(n), 3)
		s.RSSPerSubscriberKB = round((s.Server.RSSMB-base.RSSMB)*1024/float64(n), 1)
	}
	s.Held, s.Reasons = r.judge(s)
	return s, nil
}

func lossOf(c counts) Loss {
	l := Loss{VideoExpected: c.videoExpected, AudioExpected: c.audioExpected}
	if c.videoExpected > c.videoPackets {
		l.VideoLost = c.videoExpected - c.videoPackets
	}
	if c.audioExpected > c.audioPackets {
		l.AudioLost = c.audioExpected - c.audioPackets
	}
	ratio := func(lost, exp uint64) float64 {
		if exp == 0 {
			return 0
		}
		return round(float64(lost)/float64(exp), 5)
	}
	l.Video = ratio(l.VideoLost, l.VideoExpected)
	l.Audio = ratio(l.AudioLost, l.AudioExpected)
	l.Ratio = ratio(l.VideoLost+l.AudioLost, l.VideoExpected+l.AudioExpected)
	return l
}

// judge says whether a step held: loss and p99 delay under their limits,
// every student joined and receiving video.
func (r *run) judge(s Step) (bool, []string) {
	var why []string
	if s.Loss.Ratio > r.cfg.LossLimit {
		why = append(why, fmt.Sprintf("loss %.2f %% > %.2f %%", 100*s.Loss.Ratio, 100*r.cfg.LossLimit))
	}
	if s.Delay.P99Ms > ms(r.cfg.DelayLimit) {
		why = append(why, fmt.Sprintf("p99 delay %.1f ms > %.0f ms", s.Delay.P99Ms, ms(r.cfg.DelayLimit)))
	}
	if s.Join.Failed > 0 {
		why = append(why, fmt.Sprintf("%d joins failed", s.Join.Failed))
	}
	if s.Receiving < s.Subscribers {
		why = append(why, fmt.Sprintf("%d of %d students received no video", s.Subscribers-s.Receiving, s.Subscribers))
	}
	return len(why) == 0, why
}
