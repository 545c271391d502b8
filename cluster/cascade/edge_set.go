package cascade

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Locator names a lesson's origin: its node id and base URL.
// cluster.Node.Place fits it: func(ctx, l) { o, err := n.Place(ctx, l);
// return o.NodeID, o.URL, err }.
type Locator func(ctx context.Context, lessonID string) (nodeID, url string, err error)

// Edge keeps at most one relay per lesson on an edge node, however many of
// its students ask for it, and dials the origin again (located afresh, so
// after a failover the new one) when the previous relay ended.
type Edge struct {
	cfg    EdgeConfig // OriginID and OriginURL are filled per relay
	locate Locator

	mu     sync.Mutex // guards relays, dial and closed
	relays map[string]*Relay
	dial   map[string]*dialLock // one dial at a time per lesson, kept while asked
	closed bool
}

// dialLock serialises the Ensures of one lesson; it is forgotten when the
// last of them returns.
type dialLock struct {
	sync.Mutex
	users int // Ensures holding or waiting for it; guarded by Edge.mu
}

// NewEdge returns the relays of an edge node; cfg's OriginID and OriginURL
// are ignored (locate gives them).
func NewEdge(cfg EdgeConfig, locate Locator) *Edge {
	return &Edge{cfg: cfg, locate: locate, relays: map[string]*Relay{}, dial: map[string]*dialLock{}}
}

// Ensure returns the lesson's running relay, dialing its origin if there
// is none. It fails with ErrSelf when this node is the lesson's origin.
func (e *Edge) Ensure(ctx context.Context, lessonID string) (*Relay, error) {
	lock, err := e.lockDial(lessonID)
	if err != nil {
		return nil, err
	}
	defer e.unlockDial(lessonID, lock)
	e.mu.Lock()
	r := e.relays[lessonID]
	e.mu.Unlock()
	if r != nil && r.Err() == nil {
		return r, nil
	}
	id, url, err := e.locate(ctx, lessonID)
	if err != nil {
		return nil, fmt.Errorf("cascade: locating the origin of %s: %w", lessonID, err)
	}
	if id == e.cfg.NodeID {
		return nil, ErrSelf
	}
	cfg := e.cfg
	cfg.OriginID, cfg.OriginURL = id, url
	r, err = Dial(context.Background(), cfg, lessonID)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		_ = r.Close()
		return nil, ErrClosed
	}
	e.relays[lessonID] = r
	return r, nil
}

// lockDial takes the lesson's dial lock, which serialises Ensure and
// StopIf of one lesson.
func (e *Edge) lockDial(lessonID string) (*dialLock, error) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	lock := e.dial[lessonID]
	if lock == nil {
		lock = &dialLock{}
		e.dial[lessonID] = lock
	}
	lock.users++
	e.mu.Unlock()
	lock.Lock()
	return lock, nil
}

// unlockDial releases a lock of lockDial and forgets it when nobody else
// holds or waits for it.
func (e *Edge) unlockDial(lessonID string, lock *dialLock) {
	lock.Unlock()
	e.mu.Lock()
	if lock.users--; lock.users == 0 {
		delete(e.dial, lessonID)
	}
	e.mu.Unlock()
}

// StopIf ends the lesson's relay when idle, asked under the lesson's dial
// lock, reports true: an Ensure of the lesson that starts meanwhile waits,
// so a caller that counts its users before calling Ensure either is seen
// by idle or gets a fresh relay, never one stopped under it.
func (e *Edge) StopIf(lessonID string, idle func() bool) {
	lock, err := e.lockDial(lessonID)
	if err != nil {
		return // closed: every relay is ended
	}
	defer e.unlockDial(lessonID, lock)
	if idle() {
		e.Stop(lessonID)
	}
}

// Stop ends the lesson's relay, if any (its last local student left).
func (e *Edge) Stop(lessonID string) {
	e.mu.Lock()
	r := e.relays[lessonID]
	delete(e.relays, lessonID)
	e.mu.Unlock()
	if r != nil {
		_ = r.Close()
	}
}

// Close ends every relay and waits for them; later calls do nothing.
func (e *Edge) Close() error {
	e.mu.Lock()
	e.closed = true
	rs := slices.Collect(maps.Values(e.relays))
	e.relays = map[string]*Relay{}
	e.mu.Unlock()
	for _, r := range rs {
		_ = r.Close()
	}
	return nil
}
