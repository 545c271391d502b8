//go:build !linux

package testenv

import (
	"errors"
	"syscall"
)

// NetNSAttr is nil outside Linux; NetNS says why.
func NetNSAttr() *syscall.SysProcAttr { return nil }

// NetNS reports that network namespaces need Linux.
func NetNS() error { return errors.New("network namespaces need Linux") }
