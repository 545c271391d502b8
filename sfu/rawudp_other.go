//go:build !linux

package sfu

import (
	"errors"
	"net"
)

// rawUDP is Linux only (rawudp_linux.go); elsewhere the batchConn uses
// Go's own socket calls.
type rawUDP struct{}

func newRawUDP(net.PacketConn) *rawUDP { return nil }

var errNoRawUDP = errors.New("sfu: raw UDP is Linux only")

func (*rawUDP) ReadFrom([]byte) (int, net.Addr, error) { return 0, nil, errNoRawUDP }
func (*rawUDP) WriteTo([]byte, net.Addr) (int, error)  { return 0, errNoRawUDP }
func (*rawUDP) setBatch(int, []byte, net.Addr) bool    { return false }
func (*rawUDP) sendBatchN(int) int                     { return 0 }
