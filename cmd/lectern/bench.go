package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/bench"
)

func init() { registerCommand("bench", "measure capacity and latency", runBench) }

func runBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var cf commonFlags
	cf.register(fs)
	var cfg bench.Config
	fs.StringVar(&cfg.URL, "url", "", "a running server's base URL (http://host:port); empty: start one in this process")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "with --url: the server's process id, whose CPU and memory are sampled from /proc")
	fs.IntVar(&cfg.Subscribers, "subscribers", 10, "students in a fixed run")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measuring window (per step when ramping)")
	fs.DurationVar(&cfg.Baseline, "baseline", 2*time.Second, "window with the teacher alone, before students join")
	fs.BoolVar(&cfg.Ramp, "ramp", false, "add students step by step until loss or delay passes its limit; report the capacity")
	fs.IntVar(&cfg.Step, "step", 10, "students added per ramp step")
	fs.IntVar(&cfg.Max, "max", 500, "most students a ramp tries")
	fs.IntVar(&cfg.Chatters, "chatters", 0, "students who send a chat message every --chat-interval")
	fs.DurationVar(&cfg.ChatInterval, "chat-interval", 2*time.Second, "time between two messages of one chatter")
	fs.StringVar(&cfg.Lesson, "lesson", "", "lesson id (default: a fresh bench-<time> id)")
	fs.StringVar(&cfg.MediaDir, "media", "", "directory with teacher.ivf, teacher.ogg (and sim_{q,h,f}.ivf); default testdata/media found upwards")
	fs.IntVar(&cfg.Layers, "layers", 0, "video layers the teacher sends: 1, or 3 (simulcast); default 3 when available")
	fs.StringVar(&cfg.Video, "video", "", "with --layers 1: the VP8 clip (IVF) the teacher sends, in --media or a path; default teacher.ivf (320x240, ~300 kbps); sim_f.ivf is 640x480, ~1.2 Mbps")
	fs.IntVar(&cfg.PaceKbps, "pace-kbps", 3750, "the teacher's video leaves at most this fast, in 5 ms slices, as a browser's pacer sends (2.5 × a 1.5 Mbps camera's bitrate)")
	fs.BoolVar(&cfg.Burst, "burst", false, "no pacer: the teacher writes each frame's packets back to back (harsher than a browser)")
	fs.BoolVar(&cfg.DeafTeacher, "deaf-teacher", false, "the teacher never answers a keyframe request (1 s GOP): joins rely on the server's keyframe cache")
	fs.IntVar(&cfg.JoinConcurrency, "join-concurrency", 4, "students joining at once")
	fs.BoolVar(&cfg.Frames, "frames", false, "students reassemble every video frame (heavier); by default they decrypt and count packets")
	fs.Float64Var(&cfg.LossLimit, "loss-limit", 0.01, "ramp limit: share of packets lost")
	fs.DurationVar(&cfg.DelayLimit, "delay-limit", 50*time.Millisecond, "ramp limit: p99 forwarding delay")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of a table")
	out := fs.String("out", "", "also write the JSON report to this file")
	pprofAddr := fs.String("pprof", "", "serve /debug/pprof/ at this address while the bench runs (in-process: profiles the server too)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	serverLog := fs.Bool("server-log", false, "in-process: the server's own logs on stderr (warnings and errors)")
	if err := envFlags(fs, args); err != nil {
		return err
	}
	if cfg.URL != "" {
		if cf.secret == "" {
			if _, err := os.Stat(filepath.Join(cf.dataDir, "secret")); errors.Is(err, iofs.ErrNotExist) {
				return fmt.Errorf("--url needs the server's secret to mint join tokens: give --secret, or --data-dir of the server (%s has no secret)", cf.dataDir)
			}
		}
		signer, err := signerFor(cf)
		if err != nil {
			return err
		}
		cfg.Signer = signer
	}
	if !*quiet {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if *serverLog {
		cfg.ServerLogger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if *pprofAddr != "" {
		stop, err := servePprof(*pprofAddr)
		if err != nil {
			return err
		}
		defer stop()
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	rep.Params.Command = "lectern bench " + strings.Join(args, " ")
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		if err := rep.WriteJSON(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if *asJSON {
		return rep.WriteJSON(os.Stdout)
	}
	return rep.WriteTable(os.Stdout)
}

func servePprof(addr string) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	app.RegisterPprof(mux)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Close() }, nil
}
