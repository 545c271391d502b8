package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/token"
)

func init() {
	registerCommand("serve", "run the server (lectern serve --dev prints a teacher and a student link)", runServe)
}

type serveFlags struct {
	commonFlags
	addr      string
	publicURL string
	publicIP  string
	iceUDP    string
	iceTCP    string
	udpRange  string
	dev       bool
	logLevel  string
	pprof     string
	turn      turnFlags
	metrics   string
	pionLevel string
	admin     app.AdminConfig
	rtmp      string
	h264      bool
	retention time.Duration
	pay       payFlags
	proxies   string
	mail      app.MailConfig
	cluster   app.ClusterConfig
}

func runServe(ctx context.Context, args []string) error {
	var f serveFlags
	fs := f.flagSet()
	if err := envFlags(fs, args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	var pionLevel slog.Level
	if err := pionLevel.UnmarshalText([]byte(f.pionLevel)); err != nil {
		return fmt.Errorf("--pion-log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if f.dev && f.pay.provider == "" {
		f.pay.provider = "dev" // test payments only when asked for: --dev asks
	}

	cfg := app.Config{DataDir: f.dataDir, DatabaseURL: f.databaseURL, Logger: log, Dev: f.dev,
		ICEUDPAddr: f.iceUDP, ICETCPAddr: f.iceTCP,
		PaymentProvider: f.pay.provider, StripeSecretKey: f.pay.stripeKey, StripeWebhookSecret: f.pay.stripeWH,
		WeChatPay: f.pay.wechat, Alipay: f.pay.alipay, CommissionBps: f.pay.commission}
	turnCfg, err := f.turn.config()
	if err != nil {
		return err
	}
	cfg.TURN = turnCfg
	cfg.MetricsAddr = f.metrics
	cfg.Admin = f.admin
	cfg.PionLogLevel = pionLevel
	cfg.RTMPAddr, cfg.PreferH264, cfg.RecordingRetention = f.rtmp, f.h264, f.retention
	if f.dev && !flagGiven(fs, "rtmp") && os.Getenv("LECTERN_RTMP") == "" {
		cfg.RTMPAddr = ":1935"
	}
	cfg.Mail = f.mail
	cfg.Cluster = f.cluster
	if f.secret != "" {
		s, err := app.ParseSecret(f.secret)
		if err != nil {
			return err
		}
		cfg.Secret = s
	}
	if host, _, err := net.SplitHostPort(f.iceUDP); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			cfg.Loopback = true // ICE on 127.0.0.1 only: offer loopback candidates
		}
	}
	if f.publicIP != "" {
		for _, ip := range strings.Split(f.publicIP, ",") {
			if net.ParseIP(strings.TrimSpace(ip)) == nil {
				return fmt.Errorf("--public-ip: %q is not an IP address", ip)
			}
			cfg.NAT1To1IPs = append(cfg.NAT1To1IPs, strings.TrimSpace(ip))
		}
	}
	if f.udpRange != "" {
		lo, hi, ok := strings.Cut(f.udpRange, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := strconv.ParseUint(hi, 10, 16)
		if !ok || err1 != nil || err2 != nil || a > b || a == 0 {
			return fmt.Errorf("--udp-port-range: want MIN-MAX, got %q", f.udpRange)
		}
		cfg.PortMin, cfg.PortMax = uint16(a), uint16(b)
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	cfg.BaseURL = strings.TrimRight(f.publicURL, "/")
	if f.proxies != "" {
		cfg.TrustedProxies = strings.Split(f.proxies, ",")
	}
	if cfg.BaseURL == "" {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		cfg.FallbackURL = "http://localhost:" + port
		if !f.dev {
			log.Warn("no --public-url: links in pages and checkouts follow each request's Host header, " +
				"and mail sent outside a request points at " + cfg.FallbackURL + "; set --public-url in production")
		}
	}

	a, err := app.New(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	srv := newHTTPServer(a.Handler(), log)
	srv.RegisterOnShutdown(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.Signaling().Shutdown(sctx)
	})
	log.Info("lectern listening", "addr", ln.Addr().String(), "url", a.PublicURL(), "ice_udp", f.iceUDP, "data_dir", f.dataDir)
	if f.dev {
		if err := printDevLinks(a.Signer(), a.PublicURL(), f.h264); err != nil {
			return err
		}
	}
	if f.pprof != "" {
		pmux := http.NewServeMux()
		app.RegisterPprof(pmux)
		defer sideListener(log, "pprof", f.pprof, pmux)()
	}
	if f.metrics != "" {
		mmux := http.NewServeMux()
		mmux.Handle("GET /metrics", a.Metrics().Handler())
		defer sideListener(log, "metrics", f.metrics, mmux)()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// flagSet declares serve's flags (each also read from LECTERN_<NAME>).
func (f *serveFlags) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f.register(fs)
	fs.StringVar(&f.addr, "addr", ":8080", "HTTP listen address")
	fs.StringVar(&f.publicURL, "public-url", "", "the URL people open, for links in mail and checkout (default: each request's Host)")
	fs.StringVar(&f.proxies, "trusted-proxies", "", "comma-separated IPs or CIDR prefixes of reverse proxies whose X-Forwarded-For/Host/Proto are believed")
	fs.StringVar(&f.publicIP, "public-ip", "", "public IP(s), comma-separated, announced for ICE behind a 1:1 NAT")
	fs.StringVar(&f.iceUDP, "ice-udp", ":7882", "one UDP address for all ICE traffic; empty: ephemeral ports in --udp-port-range")
	fs.StringVar(&f.iceTCP, "ice-tcp", "", "also accept ICE over TCP at this address (e.g. :7881)")
	fs.StringVar(&f.udpRange, "udp-port-range", "", "MIN-MAX ephemeral UDP ports when --ice-udp is empty")
	fs.BoolVar(&f.dev, "dev", false, "development mode: print a teacher and a student link for a demo lesson")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.pionLevel, "pion-log-level", "warn", "least level of Pion's own log lines (WebRTC, ICE, congestion control): debug, info, warn or error; --log-level must let them through too")
	f.pay.register(fs)
	fs.StringVar(&f.mail.SMTPAddr, "smtp-addr", "", "SMTP server host:port for outgoing mail; empty: mail is written to the log")
	fs.StringVar(&f.mail.SMTPFrom, "smtp-from", "lectern@localhost", "sender address of outgoing mail")
	fs.StringVar(&f.mail.SMTPUsername, "smtp-username", "", "SMTP user (PLAIN authentication after STARTTLS)")
	fs.StringVar(&f.mail.SMTPPassword, "smtp-password", "", "SMTP password (prefer LECTERN_SMTP_PASSWORD); never logged")
	fs.StringVar(&f.pprof, "pprof", "", "serve Go's pprof profiles on this address (e.g. 127.0.0.1:6060); off when empty")
	fs.StringVar(&f.rtmp, "rtmp", "", "accept RTMP publishers (OBS) on this address, e.g. :1935 (default :1935 with --dev; off when empty)")
	fs.BoolVar(&f.h264, "publish-h264", true, "ask browsers to publish H.264 so that lessons are recorded without transcoding (docs/recording.md)")
	fs.DurationVar(&f.retention, "recording-retention", 0, "delete recordings this long after their lesson ended (e.g. 2160h for 90 days); 0 keeps them")
	f.turn.register(fs)
	fs.StringVar(&f.admin.Email, "admin-email", "", "create this first administrator at start if no account has the email (with --admin-password; best given as LECTERN_ADMIN_EMAIL)")
	fs.StringVar(&f.admin.Password, "admin-password", "", "password of --admin-email when it is created (best given as LECTERN_ADMIN_PASSWORD); never logged")
	fs.StringVar(&f.admin.Name, "admin-name", "", "display name of --admin-email when it is created")
	fs.StringVar(&f.cluster.NodeURL, "node-url", "", "this node's own public base URL (e.g. https://node2.school.example): runs it as one of several nodes on the same PostgreSQL (--database-url), each lesson served by one node; empty: one node")
	fs.IntVar(&f.cluster.Capacity, "node-capacity", 0, "with --node-url: live participants this node takes before lessons are placed elsewhere; 0: no limit")
	fs.DurationVar(&f.cluster.LeaseTTL, "lease-ttl", 0, "with --node-url: how long a lesson stays with a node that stopped beating, i.e. the failover time (default 5s, at least 1s)")
	fs.IntVar(&f.cluster.SpillAt, "spill-at", 0, "with --node-url: once a lesson has this many participants on its node, new students are sent to one other node (an edge), which relays the lesson's media from it and shares its classroom; 0 (the default): never")
	fs.StringVar(&f.metrics, "metrics-addr", "", "serve Prometheus /metrics on this address of its own (e.g. 127.0.0.1:9090); empty: /metrics on --addr, to loopback and private addresses only")
	return fs
}

// sideListener serves h on addr in the background (pprof, metrics) and
// returns its Close.
func sideListener(log *slog.Logger, name, addr string, h http.Handler) func() {
	srv := newHTTPServer(h, log)
	srv.Addr = addr
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error(name+" listener", "err", err)
		}
	}()
	log.Info(name+" listening", "addr", addr)
	return func() { _ = srv.Close() }
}

// printDevLinks prints ready-to-open links for a demo lesson.
func printDevLinks(signer *token.Signer, base string, h264 bool) error {
	teacher, student, err := devLinks(signer, base, h264)
	if err != nil {
		return err
	}
	fmt.Printf("\nLectern is running (development mode). Open these in two browser tabs:\n\n  teacher: %s\n\n  student: %s\n\n", teacher, student)
	return nil
}

// devLinks makes the demo lesson's teacher and student links. With h264
// (--publish-h264, the default) the teacher's link asks the page to
// publish H.264, as the join endpoint tells course-page joins, so that
// the demo lesson is recorded (docs/recording.md).
func devLinks(signer *token.Signer, base string, h264 bool) (teacher, student string, err error) {
	const lesson = "demo"
	link := func(user, name string, role token.Role) (string, error) {
		tok, err := signer.Issue(token.Claims{Lesson: lesson, User: user, Name: name, Role: role, Permissions: token.DefaultPermissions(role), Operator: true}, 24*time.Hour)
		if err != nil {
			return "", err
		}
		l := base + "/lesson/" + lesson + "?token=" + url.QueryEscape(tok)
		if h264 && token.DefaultPermissions(role).Publish {
			l += "&h264=1"
		}
		return l, nil
	}
	if teacher, err = link("dev-teacher", "Teacher", token.RoleTeacher); err != nil {
		return "", "", err
	}
	if student, err = link("dev-student", "Student", token.RoleStudent); err != nil {
		return "", "", err
	}
	return teacher, student, nil
}
