package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
)

func mediaDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "media")
}

// TestShortRun runs the whole bench briefly against an in-process server
// and checks that the report is complete and well-formed. It asserts no
// speed: CI machines differ.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and four Pion peers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Subscribers: 3, Chatters: 1, ChatInterval: time.Second,
		Duration: 3 * time.Second, Baseline: time.Second, MediaDir: mediaDir(t), Logger: peer.TestLog()})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Check(); err != nil {
		t.Fatalf("report: %v", err)
	}
	s := rep.Steps[0]
	// Completeness, not speed: every student joined, received video and
	// audio, was timed, and heard the chat.
	if s.Subscribers != 3 || s.Receiving != 3 || s.Join.Samples != 3 || s.Join.Failed != 0 {
		t.Errorf("students: %+v join %+v", s, s.Join)
	}
	if s.Loss.VideoExpected == 0 || s.Loss.AudioExpected == 0 || s.Delay.Samples == 0 {
		t.Errorf("nothing counted: loss %+v delay %+v", s.Loss, s.Delay)
	}
	if s.Layers["single"] != 3 && rep.Params.Layers == 1 {
		t.Errorf("layers %v, want all three students on the single layer", s.Layers)
	}
	if s.Chat.Chatters != 1 || s.Chat.Sent == 0 {
		t.Errorf("chat: %+v", s.Chat)
	}
	if len(s.Chat.Rejected) == 0 && (s.Chat.Delivered == 0 || s.Chat.Latency.Samples == 0) {
		t.Errorf("chat accepted but never delivered: %+v", s.Chat)
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not parse: %v", err)
	}
	for _, k := range []string{"machine", "params", "teacher", "baseline", "steps", "started_at", "finished_at"} {
		if back[k] == nil {
			t.Errorf("JSON lacks %q", k)
		}
	}
	step := back["steps"].([]any)[0].(map[string]any)
	for _, k := range []string{"loss", "bitrate", "fps", "layers", "delay", "join", "chat", "server",
		"packets_per_s", "packets_per_core_s", "cpu_per_subscriber_pct", "rss_per_subscriber_kb", "held"} {
		if _, ok := step[k]; !ok {
			t.Errorf("JSON step lacks %q", k)
		}
	}
	var tbl bytes.Buffer
	if err := rep.WriteTable(&tbl); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"machine:", rep.Machine.Model, "students", "p99"} {
		if !strings.Contains(tbl.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, tbl.String())
		}
	}
	t.Logf("\n%s", tbl.String())
}

// TestShortRamp checks that a ramp reports a capacity; limits are set so
// that the outcome does not depend on the machine's speed.
func TestShortRamp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and Pion peers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Ramp: true, Step: 1, Max: 2, Duration: time.Second, Baseline: 500 * time.Millisecond,
		MediaDir: mediaDir(t), LossLimit: 1, DelayLimit: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Check(); err != nil {
		t.Fatalf("report: %v", err)
	}
	if rep.Capacity == nil || len(rep.Steps) == 0 || len(rep.Steps) > 2 {
		t.Fatalf("capacity %+v after %d steps", rep.Capacity, len(rep.Steps))
	}
}

// TestOneLayerClip: --video picks the clip a one-layer teacher sends:
// sim_f.ivf (≈ 1.2 Mbps) reaches the student at well over teacher.ivf's
// ≈ 300 kbps, through the teacher's default pacer (3,750 kbps).
func TestOneLayerClip(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and two Pion peers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Subscribers: 1, Layers: 1, Video: "sim_f.ivf", Duration: 2 * time.Second,
		Baseline: 500 * time.Millisecond, MediaDir: mediaDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rep.Params.Media, "sim_f.ivf") || slices.Contains(rep.Params.Media, "teacher.ivf") {
		t.Errorf("media %v, want sim_f.ivf instead of teacher.ivf", rep.Params.Media)
	}
	if rep.Params.PaceKbps != 3750 {
		t.Errorf("pace %d kbps, want the default 3,750", rep.Params.PaceKbps)
	}
	if s := rep.Steps[0]; s.Receiving != 1 || s.Bitrate.MeanKbps < 700 {
		t.Errorf("student received %v kbps (receiving %d), want sim_f.ivf's ≈ 1,200", s.Bitrate.MeanKbps, s.Receiving)
	}
}

// TestDeafTeacher: with a teacher that never answers a keyframe request,
// every student still joins and receives video (from the server's
// keyframe cache, or the clip's next keyframe), and the report says the
// teacher was deaf.
func TestDeafTeacher(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and three Pion peers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Subscribers: 2, Layers: 1, DeafTeacher: true, Duration: 2 * time.Second,
		Baseline: 500 * time.Millisecond, MediaDir: mediaDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Params.DeafTeacher {
		t.Error("the report does not say the teacher was deaf")
	}
	if s := rep.Steps[0]; s.Receiving != 2 || s.Join.Failed != 0 || s.Join.Samples != 2 {
		t.Errorf("students with a deaf teacher: receiving %d, join %+v", s.Receiving, s.Join)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{URL: "http://127.0.0.1:1"},                            // no signer
		{ServerPID: 1},                                         // pid without URL
		{Subscribers: 2, Chatters: 3},                          // more chatters than students
		{Layers: 2, MediaDir: "."},                             // no such layering
		{Layers: 3, MediaDir: t.TempDir()},                     // no simulcast clips
		{Layers: 3, Video: "sim_f.ivf", MediaDir: mediaDir(t)}, // a clip for one layer
	} {
		if _, err := c.withDefaults(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

func TestHistQuantiles(t *testing.T) {
	h := new(hist)
	for i := 1; i <= 100; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	s := h.summary()
	if s.Samples != 100 || s.P50Ms < 49 || s.P50Ms > 51 || s.P99Ms < 98 || s.P99Ms > 100 || s.MaxMs != 100 {
		t.Fatalf("%+v", s)
	}
	if (&hist{}).summary() != (Latency{}) {
		t.Fatal("empty histogram has figures")
	}
}

func TestSampleProc(t *testing.T) {
	s, err := sampleProc(0)
	if err != nil {
		t.Fatal(err)
	}
	if s.RSS <= 0 || s.HWM < s.RSS || s.Thread < 1 || s.CPU < 0 {
		t.Fatalf("%+v", s)
	}
	if m := readMachine(); m.Cores < 1 || m.Model == "" {
		t.Fatalf("%+v", m)
	}
}
