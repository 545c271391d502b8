package sfu

import (
	"log/slog"
	"time"

	"github.com/pion/transport/v5"
)

// Config configures an SFU. The zero value listens for ICE on ephemeral UDP
// ports on every interface.
type Config struct {
	// Logger receives the SFU's and Pion's logs; nil discards them.
	Logger *slog.Logger
	// PionLogLevel is the least level of Pion's own lines that reach
	// Logger; nil: warnings and errors only.
	PionLogLevel slog.Leveler
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
	// one publisher's layer. Default 200 ms: short enough that students joining
	// in a burst are not kept waiting for a picture.
	PLIInterval time.Duration
	// InitialBitrate is the bandwidth estimate a subscriber starts with,
	// before its feedback says more. Default 1 Mbps: the middle layer of
	// a camera and audio.
	InitialBitrate int
	// Net, when set, carries all ICE traffic instead of the host's
	// network: a pion/transport vnet in tests of impaired links. Then
	// ICEUDPAddr, ICETCPAddr and Loopback are ignored.
	Net transport.Net
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.InitialBitrate <= 0 {
		c.InitialBitrate = 1_000_000
	}
	if c.PLIInterval <= 0 {
		c.PLIInterval = 200 * time.Millisecond
	}
	return c
}
