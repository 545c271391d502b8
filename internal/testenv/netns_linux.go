package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// NetNSAttr is the process attribute that starts a child in a network
// namespace of its own (with only a loopback interface, down).
func NetNSAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
}

// NetNS reports why this process cannot build private networks for a
// test, or nil: it must be root, have iproute2's ip, and be able to start a
// child in a new network namespace. Pass the result to Require.
func NetNS() error {
	if os.Geteuid() != 0 {
		return errors.New("network namespaces need root")
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		return fmt.Errorf("iproute2's ip: %w", err)
	}
	cmd := exec.Command(ip, "link", "show", "lo")
	cmd.SysProcAttr = NetNSAttr()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("starting a process in a new network namespace: %v: %s", err, out)
	}
	return nil
}
