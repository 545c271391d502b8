package cluster

import (
	"fmt"
	"os"
	"path/filepath"
)

// testBinDir is where the multi-node tests build lectern, one per test
// process.
func testBinDir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("lectern-cluster-bin-%d", os.Getpid()))
}

// TestBinDir is testBinDir for the external tests (an export_test idiom).
var TestBinDir = testBinDir
