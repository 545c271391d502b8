package signaling

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"sync"
)

// Limits caps concurrent sessions (WebSocket, WHIP and WHEP together) so
// that one token, one account or one address cannot open hundreds. Zero
// fields take the defaults; a negative one means no limit.
type Limits struct {
	PerToken   int // default 4
	PerAccount int // default 10
	PerAddress int // default 200 (a school behind one NAT)
}

// Default limits.
const (
	DefaultPerToken   = 4
	DefaultPerAccount = 10
	DefaultPerAddress = 200
)

// CodeTooManySessions is the error (HTTP 429, WebSocket close 4029) of a
// session over the limits.
const CodeTooManySessions = "too_many_sessions"

// tooManySessions is the message of CodeTooManySessions, on the WebSocket
// (session.acquire) and on WHIP/WHEP alike.
const tooManySessions = "too many sessions for this token, account or address"

func (l Limits) withDefaults() Limits {
	or := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	return Limits{or(l.PerToken, DefaultPerToken), or(l.PerAccount, DefaultPerAccount), or(l.PerAddress, DefaultPerAddress)}
}

// caps counts open sessions per token, account and address.
type caps struct {
	lim Limits
	mu  sync.Mutex     // guards n
	n   map[string]int // "t:"+token hash, "a:"+account, "i:"+address → open sessions
}

func newCaps(l Limits) *caps { return &caps{lim: l.withDefaults(), n: map[string]int{}} }

// acquire takes one session slot for the three keys, or returns false if
// any is at its limit. release gives it back (once).
func (c *caps) acquire(tok, account, addr string) (release func(), ok bool) {
	keys := [3]string{"t:" + tokenHash(tok), "a:" + account, "i:" + addr}
	limits := [3]int{c.lim.PerToken, c.lim.PerAccount, c.lim.PerAddress}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, k := range keys {
		if limits[i] >= 0 && c.n[k] >= limits[i] {
			return nil, false
		}
	}
	for _, k := range keys {
		c.n[k]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			for _, k := range keys {
				if c.n[k]--; c.n[k] <= 0 {
					delete(c.n, k)
				}
			}
		})
	}, true
}

func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:12])
}

// peerAddr is the request's remote IP address.
func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
