package notify

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Mail is one queued plain-text message.
type Mail struct {
	ID            string
	To            string
	Subject       string
	Body          string
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	SentAt        time.Time
	LastError     string
	// HeldAt is when the message was kept unsent because its address
	// bounces (zero otherwise); LastError says why.
	HeldAt time.Time
}

// Store is the outbox's persistence (package store implements it).
type Store interface {
	// EnqueueMail stores m, due at m.NextAttemptAt.
	EnqueueMail(ctx context.Context, m Mail) error
	// DueMail lists unsent messages due at now, oldest first.
	DueMail(ctx context.Context, now time.Time, limit int) ([]Mail, error)
	// ClaimMail leases message id until leaseUntil if it is unsent and
	// due at now, counting an attempt; false if another sender has it.
	ClaimMail(ctx context.Context, id string, now, leaseUntil time.Time) (bool, error)
	// MarkMailSent records the delivery.
	MarkMailSent(ctx context.Context, id string, at time.Time) error
	// MarkMailFailed records a failed attempt and when to try again.
	MarkMailFailed(ctx context.Context, id string, next time.Time, reason string) error
	// MarkMailBounced records, in one transaction, that message id was
	// refused for good (it is kept, never retried) and that its address
	// bounces: every unsent message to it is kept too, and so is mail
	// queued to it later, until the mark is cleared.
	MarkMailBounced(ctx context.Context, id, to string, at time.Time, reason string) error
}

// Sender delivers one message (SMTP in production).
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// Outbox queues mail and runs the worker that sends it.
type Outbox struct {
	store  Store
	sender Sender
	log    *slog.Logger
	now    func() time.Time
	every  time.Duration
	lease  time.Duration

	kick chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// Option configures an Outbox.
type Option func(*Outbox)

// WithInterval sets how often the worker looks for due mail (default 30s;
// Enqueue also wakes it).
func WithInterval(d time.Duration) Option { return func(o *Outbox) { o.every = d } }

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(o *Outbox) { o.now = now } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(o *Outbox) { o.log = l } }

// New returns an Outbox; Start runs its worker.
func New(st Store, sender Sender, opts ...Option) *Outbox {
	o := &Outbox{store: st, sender: sender, log: slog.New(slog.DiscardHandler), now: time.Now,
		every: 30 * time.Second, lease: 2 * time.Minute,
		kick: make(chan struct{}, 1), stop: make(chan struct{})}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// ErrHeader refuses an address or subject that would inject headers.
var ErrHeader = errors.New("notify: line break in a mail header")

// Enqueue stores a message for sending; once it returns nil the message
// survives a restart.
func (o *Outbox) Enqueue(ctx context.Context, to, subject, body string) error {
	if containsCRLF(to) || containsCRLF(subject) {
		return ErrHeader
	}
	now := o.now().UTC()
	m := Mail{ID: uuid.NewString(), To: to, Subject: subject, Body: body, CreatedAt: now, NextAttemptAt: now}
	if err := o.store.EnqueueMail(ctx, m); err != nil {
		return err
	}
	select {
	case o.kick <- struct{}{}:
	default:
	}
	return nil
}

// Start runs the worker until Close.
func (o *Outbox) Start() {
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		t := time.NewTicker(o.every)
		defer t.Stop()
		for {
			o.Flush(context.Background())
			select {
			case <-o.stop:
				return
			case <-t.C:
			case <-o.kick:
			}
		}
	}()
}

// Close stops the worker and waits for it; it is idempotent.
func (o *Outbox) Close() error {
	o.once.Do(func() { close(o.stop) })
	o.wg.Wait()
	return nil
}

// backoff is the wait after the n-th failed attempt: 30 s doubling, at
// most an hour.
func backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Flush sends every message due now, one at a time; it returns how many
// were sent.
func (o *Outbox) Flush(ctx context.Context) int {
	sent := 0
	due, err := o.store.DueMail(ctx, o.now(), 100)
	if err != nil {
		o.log.Warn("outbox: listing due mail", "err", err)
		return 0
	}
	for _, m := range due {
		now := o.now()
		ok, err := o.store.ClaimMail(ctx, m.ID, now, now.Add(o.lease))
		if err != nil || !ok {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		err = o.sender.Send(sctx, m)
		cancel()
		if errors.Is(err, ErrBounced) {
			o.log.Warn("outbox: the address bounces; its mail is kept unsent", "id", m.ID, "err", err)
			if err := o.store.MarkMailBounced(ctx, m.ID, m.To, o.now(), err.Error()); err != nil {
				o.log.Error("outbox: recording a bounce", "id", m.ID, "err", err)
			}
			continue
		}
		if err != nil {
			next := o.now().Add(backoff(m.Attempts + 1))
			o.log.Warn("outbox: send failed, will retry", "id", m.ID, "attempt", m.Attempts+1, "next", next, "err", err)
			if err := o.store.MarkMailFailed(ctx, m.ID, next, err.Error()); err != nil {
				o.log.Error("outbox: recording a failure", "id", m.ID, "err", err)
			}
			continue
		}
		if err := o.store.MarkMailSent(ctx, m.ID, o.now()); err != nil {
			o.log.Error("outbox: recording a delivery", "id", m.ID, "err", err)
			continue
		}
		sent++
	}
	return sent
}

func containsCRLF(s string) bool { return strings.ContainsAny(s, "\r\n") }
