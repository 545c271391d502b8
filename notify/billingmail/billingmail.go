package billingmail

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

// Store is what the sweeper reads and writes (package store).
type Store interface {
	// UnmailedReceipts lists orders paid at or after since whose receipt
	// is not queued, oldest first.
	UnmailedReceipts(ctx context.Context, since time.Time, limit int) ([]billing.Order, error)
	// UnmailedRefundDecisions lists refunds decided (declined) or
	// completed (succeeded, failed) at or after since whose mail is not
	// queued, oldest first.
	UnmailedRefundDecisions(ctx context.Context, since time.Time, limit int) ([]billing.Refund, error)
	// QueueReceipt and QueueRefundMail queue the mails and notices unless
	// they were queued before (false).
	QueueReceipt(ctx context.Context, orderID string, at time.Time, mails []classroom.Mail, notices []classroom.Notice) (bool, error)
	QueueRefundMail(ctx context.Context, refundID string, st billing.RefundStatus, at time.Time,
		mails []classroom.Mail, notices []classroom.Notice) (bool, error)
	Account(ctx context.Context, id string) (classroom.Account, error)
	Course(ctx context.Context, id string) (classroom.Course, error)
}

// Window is how far back the sweeper looks: an order paid (or a refund
// decided) longer ago whose mail was never queued is not mailed any more.
const Window = 7 * 24 * time.Hour

// Sweeper queues the billing mail.
type Sweeper struct {
	st    Store
	base  string
	log   *slog.Logger
	now   func() time.Time
	every time.Duration

	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// Option configures a Sweeper.
type Option func(*Sweeper)

// WithBaseURL makes mails link to the purchase page under base (e.g.
// https://school.example); without it they carry no link.
func WithBaseURL(base string) Option { return func(s *Sweeper) { s.base = base } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Sweeper) { s.log = l } }

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Sweeper) { s.now = now } }

// WithInterval sets how often Start's worker sweeps (default a minute).
func WithInterval(d time.Duration) Option { return func(s *Sweeper) { s.every = d } }

// New returns a Sweeper; Start runs its worker.
func New(st Store, opts ...Option) *Sweeper {
	s := &Sweeper{st: st, log: slog.New(slog.DiscardHandler), now: time.Now, every: time.Minute, stop: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Start sweeps every interval until Close.
func (s *Sweeper) Start() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.every)
		defer t.Stop()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if n, err := s.Sweep(ctx); err != nil {
				s.log.Warn("billing mail", "err", err)
			} else if n > 0 {
				s.log.Info("billing mail queued", "messages", n)
			}
			cancel()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Close stops the worker and waits for it; it is idempotent.
func (s *Sweeper) Close() error {
	s.once.Do(func() { close(s.stop) })
	s.wg.Wait()
	return nil
}

// Sweep queues the receipts and refund outcomes not queued yet; it
// returns how many it queued.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	since := now.Add(-Window)
	n := 0
	orders, err := s.st.UnmailedReceipts(ctx, since, 100)
	if err != nil {
		return n, err
	}
	for _, o := range orders {
		buyer, err := s.st.Account(ctx, o.AccountID)
		if err != nil {
			return n, err
		}
		mail, notice := receipt(buyer, o, s.base, now)
		ok, err := s.st.QueueReceipt(ctx, o.ID, now, []classroom.Mail{mail}, []classroom.Notice{notice})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	refunds, err := s.st.UnmailedRefundDecisions(ctx, since, 100)
	if err != nil {
		return n, err
	}
	for _, r := range refunds {
		buyer, err := s.st.Account(ctx, r.AccountID)
		if err != nil {
			return n, err
		}
		course, err := s.st.Course(ctx, r.CourseID)
		if err != nil {
			return n, err
		}
		mail, notice := refundOutcome(buyer, course.Title, r, s.base, now)
		notices := []classroom.Notice{notice}
		if r.RequestedBy == billing.AutoActor {
			// Billing told the buyer, with the reason, when it made the
			// refund (billing.NoticeAutoRefund): mail only.
			notices = nil
		}
		ok, err := s.st.QueueRefundMail(ctx, r.ID, r.Status, now, []classroom.Mail{mail}, notices)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
