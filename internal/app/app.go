package app

import (
	"context"
	"errors"
	"github.com/lectern/lectern/billing/alipay"
	"github.com/lectern/lectern/billing/wechatpay"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/cluster"
	"github.com/lectern/lectern/internal/metrics"
	"github.com/lectern/lectern/internal/publicurl"
	"github.com/lectern/lectern/internal/relay"
	"github.com/lectern/lectern/recorder"
	"github.com/lectern/lectern/rtmpingest"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/token"
)

// Config is the whole server's configuration, assembled by cmd/lectern.
type Config struct {
	DataDir     string
	DatabaseURL string
	Secret      []byte // nil: kept in DataDir/secret
	Logger      *slog.Logger
	BaseURL     string // public URL (--public-url); "" derives it from each request's Host
	// FallbackURL is used for links made outside any request when BaseURL
	// is empty (default http://localhost).
	FallbackURL string
	// TrustedProxies are reverse proxies (IPs or CIDR prefixes) whose
	// X-Forwarded-* headers are believed.
	TrustedProxies []string
	Dev            bool

	// Mail: SMTP for password resets (see mail.go).
	Mail MailConfig

	// Payments: "dev" (a checkout page served by Lectern) or "stripe".
	PaymentProvider     string
	StripeSecretKey     string
	StripeWebhookSecret string
	WeChatPay           wechatpay.Config
	Alipay              alipay.Config
	CommissionBps       int // the platform's default commission, basis points

	// Media.
	Loopback   bool // ICE on 127.0.0.1 only (tests)
	ICEUDPAddr string
	ICETCPAddr string
	PortMin    uint16
	PortMax    uint16
	NAT1To1IPs []string
	ICEServers []signaling.ICEServer
	TURN       TURNConfig
	// PionLogLevel is the least level of Pion's own log lines; nil:
	// warnings and errors only.
	PionLogLevel slog.Leveler

	// Admin is a first administrator created at start, if set.
	Admin AdminConfig

	// MetricsAddr, when set, is where cmd/lectern serves /metrics on a
	// listener of its own; empty: on the main listener, to loopback and
	// private addresses only.
	MetricsAddr string

	// Access: join tokens' lifetime (default api.DefaultTokenTTL) and
	// caps on concurrent sessions.
	TokenTTL      time.Duration
	SessionLimits signaling.Limits

	// Recording: stop recording below this much free disk (0: 1 GiB).
	RecordMinFree uint64
	// RTMPAddr accepts RTMP publishers there; empty: no RTMP.
	RTMPAddr string
	// RecordingRetention deletes recordings this long after they ended;
	// 0 keeps them.
	RecordingRetention time.Duration
	// PreferH264 asks browsers to publish H.264 so that lessons are
	// recorded by remuxing (cmd/lectern: on unless --publish-h264=false).
	PreferH264 bool
	// Cluster runs this node as one of several on PostgreSQL (cluster.go).
	Cluster ClusterConfig
}

// App is a running Lectern server, without its listener.
type App struct {
	cfg     Config
	log     *slog.Logger
	sfu     *sfu.SFU
	sig     *signaling.Server
	signer  *token.Signer
	mux     *http.ServeMux
	urls    *publicurl.Resolver
	store   *store.Store
	api     *api.Server
	billing *billing.Service
	policy  *access.Policy
	turn    *relay.Server
	metrics *metrics.Registry
	closers []func() error

	recorder   *recorder.Recorder
	grants     *recorder.Grants
	rtmp       *rtmpingest.Server
	streamKeys *rtmpingest.Keys

	decks live.Decks    // what live lessons may present as slides (content.go)
	node  *cluster.Node // nil: one node
	edge  *cascadeEdge  // nil: one node
}

// Store returns the store.
func (a *App) Store() *store.Store { return a.store }

// API returns the REST API server.
func (a *App) API() *api.Server { return a.api }

// New builds the server.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	urls, err := publicurl.New(cfg.BaseURL, cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	a.urls = urls
	secret := cfg.Secret
	if secret == nil {
		if secret, err = loadSecret(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	signer, err := token.NewSigner(secret)
	if err != nil {
		return nil, err
	}
	a.signer = signer
	s, err := sfu.New(sfu.Config{
		Logger: cfg.Logger.With("subsystem", "sfu"), ICEUDPAddr: cfg.ICEUDPAddr, ICETCPAddr: cfg.ICETCPAddr,
		PortMin: cfg.PortMin, PortMax: cfg.PortMax, NAT1To1IPs: cfg.NAT1To1IPs, Loopback: cfg.Loopback,
		PionLogLevel: cfg.PionLogLevel,
	})
	if err != nil {
		return nil, err
	}
	a.sfu = s
	a.grants, a.streamKeys = recorder.NewGrants(secret), rtmpingest.NewKeys(secret)
	if err := a.wireStore(ctx); err != nil {
		_ = s.Close()
		a.sfu = nil
		a.Close()
		return nil, err
	}
	// After the store: it keeps the recordings' descriptions.
	if err := a.wireRecorder(); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.ensureAdmin(ctx); err != nil {
		a.Close()
		return nil, err
	}
	ice, err := a.wireTURN(secret)
	if err != nil {
		a.Close()
		return nil, err
	}
	liveStore, err := a.wireCluster(ctx, secret)
	if err != nil {
		a.Close()
		return nil, err
	}
	sigCfg := signaling.Config{SFU: s, Signer: signer, Logger: cfg.Logger.With("subsystem", "signaling"), ICEServersFor: ice.forUser,
		LiveStore: liveStore, Access: a.policy, Lessons: a.store, Limits: cfg.SessionLimits,
		LessonOptions: func(string) []live.Option { return []live.Option{live.WithDecks(a.decks)} },
		LessonEnded:   a.recorder.End,
		ClientAddr:    urls.ClientIP} // X-Forwarded-For from --trusted-proxies only
	if a.node != nil {
		sigCfg.Placement, sigCfg.Edge = a.node, a.edge
	}
	a.sig = signaling.New(sigCfg)
	a.sig.Register(a.mux)
	// Signalling owns lessons' life and hears every access change; the
	// policy reads bans from its live classroom.
	a.policy.SetBans(a.sig)
	a.api.SetLessonLife(a.sig)
	a.api.SetAccessListener(a.sig)
	a.billing.SetAccessListener(a.sig)
	a.startCluster()
	a.wireMetrics()
	a.wireHealth()
	a.mux.Handle("/", a.webclient())
	return a, nil
}

// Handler serves every route, with the public URL of each request in its
// context (internal/publicurl) and the security headers that depend on how
// the request arrived (HSTS over https), counted in the metrics.
func (a *App) Handler() http.Handler {
	// The public URL goes outside the metrics: its request copy must not
	// hide the route pattern the mux records for them.
	return recoverer(a.log, a.urls.Middleware(a.metrics.Middleware(a.api.SecurityHeaders(a.mux),
		a.log.With("subsystem", "http"))))
}

// Signer issues and verifies join tokens.
func (a *App) Signer() *token.Signer { return a.signer }

// SFU returns the media server.
func (a *App) SFU() *sfu.SFU { return a.sfu }

// Signaling returns the signalling server (for Shutdown hooks).
func (a *App) Signaling() *signaling.Server { return a.sig }

// Close stops everything: WebSockets, then rooms and peers, then the store.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if a.sig != nil {
		a.sig.Shutdown(ctx)
	}
	var errs []error
	if a.sfu != nil {
		errs = append(errs, a.sfu.Close())
	}
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// recoverer turns a panic in a handler into a 500 and a log line.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic in handler", "path", r.URL.Path, "panic", v)
				http.Error(w, `{"code":"internal","message":"internal error"}`, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
