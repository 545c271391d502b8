package sfu_test

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
)

// TestTrackArrivingAfterItsPublisherStopped stops a publisher (Close, or
// its right to publish revoked) in the window between Pion reporting its
// track and the track's registration in the room. The track must never
// appear in the room nor start its goroutines; before registration and
// the start were made one step under the room's lock, it was added to the
// room of a departed publisher with its control loop running for ever.
func TestTrackArrivingAfterItsPublisherStopped(t *testing.T) {
	for _, tc := range []struct {
		name    string
		watcher bool // someone else keeps the room open
		stop    func(*sfu.Participant)
	}{
		{"close-last", false, func(p *sfu.Participant) { p.Close() }},
		{"close", true, func(p *sfu.Participant) { p.Close() }},
		{"revoke", true, func(p *sfu.Participant) { p.SetPublish(false) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSFU(t)
			var once sync.Once
			stopped := make(chan struct{})
			sfu.SetTestHooks(s, func(p *sfu.Participant) {
				once.Do(func() {
					tc.stop(p)
					close(stopped)
				})
			}, nil)
			var w *client
			if tc.watcher {
				w = newClient(t)
				w.join(t, s, "race-1", "watcher", false)
			}
			_, part := publish(t, s, "race-1")
			select {
			case <-stopped:
			case <-time.After(10 * time.Second):
				t.Fatal("no track arrived")
			}
			if r := s.Room("race-1"); r != nil && len(r.Tracks()) != 0 {
				// Give a wrongly registered track a moment to show.
				time.Sleep(100 * time.Millisecond)
			}
			if r := s.Room("race-1"); r != nil {
				if n := len(r.Tracks()); n != 0 {
					t.Fatalf("room has %d tracks of a publisher that stopped", n)
				}
			}
			if n := len(part.Tracks()); n != 0 {
				t.Fatalf("the stopped publisher still holds %d tracks", n)
			}
			if w != nil {
				w.mu.Lock()
				ev := append([]string(nil), w.events...)
				w.mu.Unlock()
				if len(ev) != 0 {
					t.Fatalf("the watcher was told of a track whose publisher had stopped: %v", ev)
				}
			}
			waitNoGoroutine(t, "sfu.(*Track).controlLoop", 3*time.Second)
			waitNoGoroutine(t, "sfu.(*Track).readLoop", 3*time.Second)
		})
	}
}

// waitNoGoroutine fails unless, within d, no goroutine's stack names fn.
func waitNoGoroutine(t *testing.T, fn string, d time.Duration) {
	t.Helper()
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(d)
	for {
		n := runtime.Stack(buf, true)
		if !strings.Contains(string(buf[:n]), fn) {
			return
		}
		if time.Now().After(deadline) {
			var held []string
			for _, g := range strings.Split(string(buf[:n]), "\n\n") {
				if strings.Contains(g, fn) {
					held = append(held, g)
				}
			}
			t.Fatalf("a goroutine in %s is still running %v later:\n%s", fn, d, strings.Join(held, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPlayRacingClose closes a WHEP viewer between Play's answer and the
// player's registration. Play must fail and leave no down-track on the
// room's tracks; before the registration checked "closed" under the locks,
// the player was registered in the room after its Close and forwarded to
// for ever.
func TestPlayRacingClose(t *testing.T) {
	s := newSFU(t)
	sfu.SetTestHooks(s, nil, func(p *sfu.Participant) { p.Close() })
	publish(t, s, "race-2")
	r := s.Room("race-2")
	waitTracks(t, r, 2)

	pc := peer.Player(t).PC
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	viewer, err := s.Join("race-2", sfu.ParticipantConfig{ID: "viewer", Subscribe: false})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(viewer.Close)
	if _, err := viewer.Play(offer.SDP); !errors.Is(err, sfu.ErrClosed) {
		t.Fatalf("Play by a viewer closed meanwhile: %v, want ErrClosed", err)
	}
	for _, tr := range r.Tracks() {
		if n := len(tr.DownTracks()); n != 0 {
			t.Fatalf("track %s (%s) has %d down-tracks after its only viewer closed", tr.ID(), tr.Source(), n)
		}
	}
}
