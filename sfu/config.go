package sfu

import (
	"log/slog"
	"time"
)

// Config configures an SFU. The zero value listens for ICE on ephemeral UDP
// ports on every interface.
type Config struct {
	// Logger receives the SFU's and Pion's logs; nil discards them.
	Logger *slog.Logger
	// ICEUDPAddr, when set (e.g. ":7882"), carries all ICE traffic of all
	// peers on one UDP socket (ICE UDP mux).
	ICEUDPAddr string
	// ICETCPAddr, when set, also accepts ICE over TCP (RFC 6544) there.
	ICETCPAddr string
	// PortMin and PortMax bound the ephemeral UDP ports when ICEUDPAddr is
	// empty. Zero means any port.
	PortMin, PortMax uint16
	// NAT1To1IPs are public addresses announced as host candidates when the
	// server sits behind a 1:1 NAT.
	NAT1To1IPs []string
	// Loopback restricts ICE to 127.0.0.1 (tests and single-machine use).
	Loopback bool
	// PLIInterval is the least time between two keyframe requests sent to
	// one publisher's track. Default 500 ms.
	PLIInterval time.Duration
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.PLIInterval <= 0 {
		c.PLIInterval = 500 * time.Millisecond
	}
	return c
}
