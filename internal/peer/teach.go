package peer

import (
	"context"
	"fmt"
	"time"

	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// TB is the part of testing.TB that the package's test steps (Teach,
// Publishes, PublishesTo, Viewer, Player, Conn, Offer, SFU, WaitTracks)
// use. The package does not import testing: `lectern bench` links it.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// liveLimit bounds WaitConnected's wait when ctx has no sooner deadline.
const liveLimit = 20 * time.Second

// PublishLive publishes pub's tracks (Publish) and waits until its
// connection to the server is up (WaitConnected), so that its media is
// reaching the server.
func (c *Client) PublishLive(ctx context.Context, pub *Publisher) error {
	if err := c.Publish(ctx, pub); err != nil {
		return err
	}
	if err := WaitConnected(ctx, pub.PC); err != nil {
		return fmt.Errorf("the publishing connection: %w", err)
	}
	return nil
}

// WaitConnected waits until pc is connected. It fails when pc fails or
// closes first, or when ctx ends or 20 s pass.
func WaitConnected(ctx context.Context, pc *webrtc.PeerConnection) error {
	ctx, cancel := context.WithTimeout(ctx, liveLimit)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		switch st := pc.ConnectionState(); st {
		case webrtc.PeerConnectionStateConnected:
			return nil
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			return fmt.Errorf("the connection is %s", st)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the connection never came up (%s): %w", pc.ConnectionState(), ctx.Err())
		case <-tick.C:
		}
	}
}

// Teach is the tests' "teacher joins and publishes": it joins the lesson
// at url (ws://host/rtc) with tok and publishes what newPub makes
// (NewTeacher, NewH264Teacher, or a closure) until it is live, as
// Publishes does. The client and the publisher are closed when t ends;
// any failure fails t.
func Teach(t TB, ctx context.Context, url, tok string, newPub func() (*Publisher, error)) (*Client, *Publisher) {
	t.Helper()
	c, err := Join(ctx, url, tok, nil)
	if err != nil {
		t.Fatalf("teacher joining: %v", err)
	}
	t.Cleanup(c.Close)
	return c, Publishes(t, ctx, c, newPub)
}

// Publishes makes the joined client c publish what newPub makes and waits
// until it is live (PublishLive). The publisher is closed when t ends; any
// failure fails t.
func Publishes(t TB, ctx context.Context, c *Client, newPub func() (*Publisher, error)) *Publisher {
	t.Helper()
	pub, err := newPub()
	if err != nil {
		t.Fatalf("publisher: %v", err)
	}
	t.Cleanup(pub.Close)
	if err := c.PublishLive(ctx, pub); err != nil {
		t.Fatalf("publishing: %v", err)
	}
	return pub
}

// PublishesTo publishes pc's tracks, named by sources (a publisher's
// Sources), as part, a participant joined to an SFU in-process, through
// the SFU's own publish path: a complete offer in, the answer applied, as
// the signalling layer would. Any failure fails t; the caller starts its
// publisher.
func PublishesTo(t TB, part *sfu.Participant, pc *webrtc.PeerConnection, sources map[string]string) {
	t.Helper()
	named := make(map[string]sfu.Source, len(sources))
	for id, src := range sources {
		named[id] = sfu.Source(src)
	}
	if err := OfferAnswer(pc, func(offer string) (string, error) { return part.Publish(offer, named) }); err != nil {
		t.Fatalf("publishing to the SFU: %v", err)
	}
}
