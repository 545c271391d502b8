package sfu_test

import (
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/sfu"
)

// relayLink plays package cluster/cascade's part between two SFUs in one
// process: a relay participant subscribes in the origin's room, and each
// of its offers is applied in the edge's room by PublishRelayed, in order.
type relayLink struct {
	sfu.NopListener
	t            testing.TB
	origin, edge *sfu.Participant
	work         chan func()
	done         chan struct{}
}

func linkRelay(t testing.TB, origin, edge *sfu.SFU, room string) *relayLink {
	t.Helper()
	l := &relayLink{t: t, work: make(chan func(), 64), done: make(chan struct{})}
	ready := make(chan struct{})
	l.work <- func() { <-ready }
	go func() {
		defer close(l.done)
		for f := range l.work {
			f()
		}
	}()
	var err error
	if l.edge, err = edge.Join(room, sfu.ParticipantConfig{ID: "relay:origin", Publish: true}); err != nil {
		t.Fatal(err)
	}
	if l.origin, err = origin.Join(room, sfu.ParticipantConfig{ID: "relay:edge", Subscribe: true, Relay: true, Listener: l}); err != nil {
		t.Fatal(err)
	}
	close(ready)
	t.Cleanup(func() {
		l.origin.Close()
		l.edge.Close()
		close(l.work)
		<-l.done
	})
	return l
}

func (l *relayLink) SubscribeOffer(sdp string, byMid map[string]sfu.TrackInfo) {
	tracks := make(map[string]sfu.TrackInfo, len(byMid))
	for _, ti := range byMid {
		tracks[ti.ID] = ti
	}
	l.work <- func() {
		ans, err := l.edge.PublishRelayed(sdp, tracks)
		if err != nil {
			l.t.Errorf("the edge applying the relay's offer: %v", err)
			return
		}
		if err := l.origin.SetSubscribeAnswer(ans); err != nil {
			l.t.Errorf("the origin applying the edge's answer: %v", err)
		}
	}
}

// TestRelayForgetsEndedTracks: a teacher who turns the camera off and on
// again and again (each time new tracks on the origin, new relay streams)
// leaves the edge's relay participant with the ids of the streams it
// carries now, not of every stream it ever carried.
func TestRelayForgetsEndedTracks(t *testing.T) {
	const room = "toggle"
	origin, edge := newSFU(t), newSFU(t)
	teacher, err := origin.Join(room, sfu.ParticipantConfig{ID: "teacher", Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(teacher.Close)
	l := linkRelay(t, origin, edge, room)
	waitEdge := func(n int, what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := edge.Room(room)
			got := 0
			if r != nil {
				got = len(r.Tracks())
			}
			if got == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the edge has %d relayed tracks, want %d", what, got, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	const rounds = 4
	for i := range rounds {
		pub, err := peer.NewTeacher()
		if err != nil {
			t.Fatal(err)
		}
		teacher.SetPublish(true)
		offerAnswer(t, teacher, pub.PC, pub.Sources())
		pub.Start()
		waitEdge(2, "on")
		if n := sfu.RelayedIDs(l.edge); n > 2*3 {
			t.Errorf("round %d, camera on: the edge's relay keeps %d stream entries, want those of 2 streams (at most 6)", i, n)
		}
		if i == 0 {
			// An offer the edge refuses, listing no stream, in order
			// with the origin's: the offer in force keeps its entries.
			refused := make(chan [2]int, 1)
			l.work <- func() {
				before := sfu.RelayedIDs(l.edge)
				if _, err := l.edge.PublishRelayed("not sdp", map[string]sfu.TrackInfo{}); err == nil {
					t.Error("an offer that is not SDP was applied")
				}
				refused <- [2]int{before, sfu.RelayedIDs(l.edge)}
			}
			select {
			case n := <-refused:
				if n[1] != n[0] || n[0] == 0 {
					t.Errorf("a refused relay offer: %d stream entries before, %d after; want the same, not 0", n[0], n[1])
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the refused relay offer never ran")
			}
		}
		teacher.SetPublish(false)
		pub.Close()
		waitEdge(0, "off")
	}
	// The origin's offer that removed the last streams is applied before
	// the edge's tracks end (their streams stop with it).
	if n := sfu.RelayedIDs(l.edge); n != 0 {
		t.Errorf("after %d rounds of camera on and off: the edge's relay keeps %d stream entries, want 0", rounds, n)
	}
}
