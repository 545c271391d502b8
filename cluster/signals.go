package cluster

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// channel is the PostgreSQL NOTIFY channel of the cluster's signals.
const channel = "lectern_cluster"

// Kinds of signal.
const (
	kindAccess = "access" // an account's access to a course may have changed
	kindEnded  = "ended"  // a lesson was ended on a node that does not own it
)

// signal is one NOTIFY payload (JSON, well under PostgreSQL's 8,000 bytes).
type signal struct {
	From    string `json:"from"`
	Kind    string `json:"kind"`
	Account string `json:"account,omitempty"`
	Course  string `json:"course,omitempty"`
	Lesson  string `json:"lesson,omitempty"`
	By      string `json:"by,omitempty"`
}

// publish sends a signal to every node (itself included; listen skips
// its own).
func (n *Node) publish(ctx context.Context, s signal) {
	s.From = n.cfg.ID
	b, _ := json.Marshal(s) // plain strings: cannot fail
	if _, err := n.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, string(b)); err != nil {
		n.log.Warn("cluster signal not sent", "kind", s.Kind, "err", err)
	}
}

// AccessListener wraps the local listener of access changes (signalling)
// so that a change decided on this node also reaches the others, where
// the account may have sessions open.
func (n *Node) AccessListener(local AccessChanger) *AccessFan {
	return &AccessFan{n: n, local: local}
}

// AccessFan tells the local signalling server and every other node of an
// access change. It implements the api and billing access listeners.
type AccessFan struct {
	n     *Node
	local AccessChanger
}

// AccessChanger hears that an account's access to a course ("" for all)
// may have changed.
type AccessChanger interface {
	AccessChanged(accountID, courseID string)
}

// AccessChanged implements api.AccessListener and billing.AccessListener.
func (f *AccessFan) AccessChanged(accountID, courseID string) {
	f.local.AccessChanged(accountID, courseID)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	f.n.publish(ctx, signal{Kind: kindAccess, Account: accountID, Course: courseID})
}

// listenLoop keeps one connection listening on the channel, reconnecting
// after a failure (a PostgreSQL restart) until Close. Signals sent while
// it was away are lost; signalling's periodic access recheck catches up.
func (n *Node) listenLoop() {
	defer n.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-n.stop
		cancel()
	}()
	for backoff := 250 * time.Millisecond; ctx.Err() == nil; {
		err := n.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		n.log.Warn("cluster signals: listener lost, reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen listens until the connection fails or ctx ends.
func (n *Node) listen(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(cctx, n.cfg.DatabaseURL)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	for {
		note, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var s signal
		if err := json.Unmarshal([]byte(note.Payload), &s); err != nil {
			n.log.Warn("cluster signal unreadable", "err", err)
			continue
		}
		if s.From != n.cfg.ID {
			n.receive(s)
		}
	}
}

// receive applies another node's signal.
func (n *Node) receive(s signal) {
	srv := n.server()
	if srv == nil {
		return
	}
	switch s.Kind {
	case kindAccess:
		if s.Account != "" {
			srv.AccessChanged(s.Account, s.Course)
		}
	case kindEnded:
		if s.Lesson != "" && n.Serves(s.Lesson) {
			n.log.Info("lesson ended on another node", "lesson", s.Lesson, "by", s.By, "node", s.From)
			srv.EndedElsewhere(s.Lesson, s.By)
		}
	}
}
