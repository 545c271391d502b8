package signaling

import "sync"

// The SFU calls a session's listener methods (subscribe offers, tracks,
// speakers, subscriber figures) on its own goroutines, sometimes while
// holding its locks. A session never does its work there: each call is
// queued and run on the session's own goroutine (its write loop), where
// taking the server's and the lesson's locks holds up nobody in the SFU.

// callQueue is a session's queue of deferred calls, run in order. While
// held (the join is being answered) calls wait, so that the client sees
// joined first.
type callQueue struct {
	mu      sync.Mutex // guards calls, holding, stopped
	calls   []func()
	holding bool
	stopped bool          // the session ended: calls are dropped
	ready   chan struct{} // signalled (capacity 1) when calls may run
}

func newCallQueue() *callQueue { return &callQueue{ready: make(chan struct{}, 1)} }

// add queues f.
func (q *callQueue) add(f func()) {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		return
	}
	q.calls = append(q.calls, f)
	signal := !q.holding
	q.mu.Unlock()
	if signal {
		q.signal()
	}
}

func (q *callQueue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// hold makes calls wait until release.
func (q *callQueue) hold() {
	q.mu.Lock()
	q.holding = true
	q.mu.Unlock()
}

// release lets waiting calls run.
func (q *callQueue) release() {
	q.mu.Lock()
	q.holding = false
	q.mu.Unlock()
	q.signal()
}

// run runs the calls waiting, in order, unless held.
func (q *callQueue) run() {
	q.mu.Lock()
	if q.holding {
		q.mu.Unlock()
		return
	}
	calls := q.calls
	q.calls = nil
	q.mu.Unlock()
	for _, f := range calls {
		f()
	}
}

// stop drops what waits and everything added later.
func (q *callQueue) stop() {
	q.mu.Lock()
	q.stopped = true
	q.calls = nil
	q.mu.Unlock()
}
