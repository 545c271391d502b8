//go:build race

package sfu_test

// raceEnabled is true under the race detector, which slows the media path
// too much for tests that time a congestion controller.
const raceEnabled = true
