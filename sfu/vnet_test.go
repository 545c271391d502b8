package sfu_test

import (
	"testing"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
)

// newWAN returns a virtual router on 10.0.0.0/24 (quiet unless it fails)
// and a function that attaches a host with one address to it.
func newWAN(t *testing.T) (*vnet.Router, func(ip string) *vnet.Net) {
	t.Helper()
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	wan, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "10.0.0.0/24", LoggerFactory: lf})
	if err != nil {
		t.Fatal(err)
	}
	return wan, func(ip string) *vnet.Net {
		t.Helper()
		n, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{ip}})
		if err != nil {
			t.Fatal(err)
		}
		if err := wan.AddNet(n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}
