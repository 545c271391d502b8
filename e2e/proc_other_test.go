//go:build !unix

package e2e

import (
	"os/exec"
	"time"
)

func configureProcess(cmd *exec.Cmd) { cmd.WaitDelay = 10 * time.Second }

func killGroup(*exec.Cmd) {}
