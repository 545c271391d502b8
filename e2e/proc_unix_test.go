//go:build unix

package e2e

import (
	"os/exec"
	"syscall"
	"time"
)

// configureProcess puts node (and the Chromium it starts) in its own process
// group, asks it to stop with SIGTERM on timeout (playwright then closes the
// browser), and lets killGroup reap anything left.
func configureProcess(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
}

// killGroup kills whatever is left of the script's process group.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
