package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/lectern/lectern/internal/app"
)

// turnFlags configure the embedded TURN server and the STUN/TURN servers
// handed to clients.
type turnFlags struct {
	udp, tcp, tls     string
	cert, key         string
	host, secret      string
	ttl               time.Duration
	external, stunURL string
}

func (t *turnFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.udp, "turn-udp", "", "embedded TURN server over UDP at this address (e.g. :3478); off when empty")
	fs.StringVar(&t.tcp, "turn-tcp", "", "embedded TURN server over TCP at this address (e.g. :3478); off when empty")
	fs.StringVar(&t.tls, "turn-tls", "", "embedded TURN server over TLS at this address (e.g. :5349 or :443); needs --turn-cert and --turn-key")
	fs.StringVar(&t.cert, "turn-cert", "", "TLS certificate (PEM) of --turn-tls")
	fs.StringVar(&t.key, "turn-key", "", "TLS private key (PEM) of --turn-tls")
	fs.StringVar(&t.host, "turn-host", "", "host name or IP in the turn: URLs given to clients (default: the first --public-ip, else the host of --public-url)")
	fs.StringVar(&t.secret, "turn-secret", "", "shared secret of the TURN credentials (coturn's static-auth-secret); empty: derived from --secret")
	fs.DurationVar(&t.ttl, "turn-ttl", 12*time.Hour, "how long a participant's TURN credentials stay valid")
	fs.StringVar(&t.external, "turn-urls", "", "comma-separated turn:/turns: URLs of an external TURN server sharing --turn-secret (coturn with use-auth-secret)")
	fs.StringVar(&t.stunURL, "stun-urls", "", "comma-separated stun: URLs handed to clients")
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (t *turnFlags) config() (app.TURNConfig, error) {
	c := app.TURNConfig{UDPAddr: t.udp, TCPAddr: t.tcp, TLSAddr: t.tls, CertFile: t.cert, KeyFile: t.key,
		Host: t.host, TTL: t.ttl, External: splitList(t.external), STUN: splitList(t.stunURL)}
	if t.secret != "" {
		c.Secret = []byte(t.secret)
	}
	if t.tls != "" && (t.cert == "" || t.key == "") {
		return c, errors.New("--turn-tls needs --turn-cert and --turn-key")
	}
	if t.ttl <= 0 {
		return c, errors.New("--turn-ttl must be positive")
	}
	for _, u := range c.External {
		if !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
			return c, fmt.Errorf("--turn-urls: %q is not a turn: or turns: URL", u)
		}
	}
	if len(c.External) > 0 && t.secret == "" {
		return c, errors.New("--turn-urls needs --turn-secret, the secret the external TURN server shares")
	}
	for _, u := range c.STUN {
		if !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "stuns:") {
			return c, fmt.Errorf("--stun-urls: %q is not a stun: URL", u)
		}
	}
	return c, nil
}
