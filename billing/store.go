package billing

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

// The persistence billing needs, declared here by its consumer and
// implemented by package store (SQLite and PostgreSQL). Every method
// honours ctx. A missing row is classroom.ErrNotFound.

// OrderQuery filters ListOrders.
type OrderQuery struct {
	AccountID string // "" for all
	CourseID  string // "" for all
	classroom.Page
}

// RefundQuery filters ListRefunds.
type RefundQuery struct {
	TeacherID string       // "" for all
	AccountID string       // the buyer; "" for all
	OrderID   string       // "" for all
	Status    RefundStatus // "" for all
	classroom.Page
}

// Access is what decides one account's access to one course (and lesson)
// in one read.
type Access struct {
	Priced     bool // the course has a non-zero price
	FreeLesson bool // the lesson is a free preview
	Entitled   bool // the account has an active entitlement
}

// Reader reads billing state, inside or outside a transaction.
type Reader interface {
	// Price returns a course's price; ErrNotFound when it has none.
	Price(ctx context.Context, courseID string) (Price, error)
	// FreeLessons lists a course's free-preview lesson IDs.
	FreeLessons(ctx context.Context, courseID string) ([]string, error)
	// AccessFacts reads what access to course (and lesson, if not "")
	// by account depends on.
	AccessFacts(ctx context.Context, accountID, courseID, lessonID string) (Access, error)
	// Entitlement returns the account's entitlement to the course
	// (active or revoked); ErrNotFound when it never had one.
	Entitlement(ctx context.Context, accountID, courseID string) (Entitlement, error)
	Coupon(ctx context.Context, id string) (Coupon, error)
	// CouponByCode finds a teacher's coupon by normalised code.
	CouponByCode(ctx context.Context, teacherID, code string) (Coupon, error)
	// ListCoupons lists a teacher's coupons, newest first.
	ListCoupons(ctx context.Context, teacherID string) ([]Coupon, error)
	Order(ctx context.Context, id string) (Order, error)
	OrderByKey(ctx context.Context, accountID, idempotencyKey string) (Order, error)
	// PendingOrder returns the account's pending order for the course.
	PendingOrder(ctx context.Context, accountID, courseID string) (Order, error)
	// CommissionOverride is a teacher's commission in basis points;
	// ErrNotFound when the platform's default applies.
	CommissionOverride(ctx context.Context, teacherID string) (int, error)
	// PaidStatements lists a teacher's paid statements between two
	// months (inclusive, "" for no bound).
	PaidStatements(ctx context.Context, teacherID, from, to string) ([]Statement, error)
	// OrderByPaymentRef finds provider's order paid by payment ref.
	OrderByPaymentRef(ctx context.Context, provider, ref string) (Order, error)
	// OrdersToReconcile lists provider's orders created in [from, to)
	// that are pending or expired, oldest first, after cursor.
	OrdersToReconcile(ctx context.Context, provider string, from, to time.Time, after OrderCursor, limit int) ([]Order, error)
	// ListOrders lists orders newest first.
	ListOrders(ctx context.Context, q OrderQuery) ([]Order, error)
	// ExpiredOrders lists pending orders whose ExpiresAt is before t.
	ExpiredOrders(ctx context.Context, t time.Time, limit int) ([]Order, error)
	// Ledger lists an order's entries by Seq.
	Ledger(ctx context.Context, orderID string) ([]LedgerEntry, error)
	Refund(ctx context.Context, id string) (Refund, error)
	// ListRefunds lists refunds newest first.
	ListRefunds(ctx context.Context, q RefundQuery) ([]Refund, error)
	// Revenue sums the ledger's payments and refunds by month, course
	// and currency, ordered by month, course title, course ID, currency.
	Revenue(ctx context.Context, q RevenueQuery) ([]RevenueRow, error)
	// LessonProgress counts a course's lessons and those over at now
	// (ended, or planned to have ended).
	LessonProgress(ctx context.Context, courseID string, now time.Time) (total, passed int, err error)
	ExtraPayment(ctx context.Context, id string) (ExtraPayment, error)
	// ExtraPayments lists extra payments, oldest first: an order's (orderID
	// not ""), or all in status st (st not ""), at most limit.
	ExtraPayments(ctx context.Context, orderID string, st ExtraStatus, limit int) ([]ExtraPayment, error)
	// WeChatOpenID is the account's openid for WeChat AppID appID;
	// ErrNotFound when it has none.
	WeChatOpenID(ctx context.Context, accountID, appID string) (string, error)
}

// Tx is one database transaction. Writes that lose a race (a unique key
// taken, an order's version moved on) return classroom.ErrConflict; the
// whole transaction is then rolled back and may be retried.
type Tx interface {
	Reader
	// PutPrice inserts or replaces a course's price.
	PutPrice(ctx context.Context, p Price) error
	// DeletePrice makes a course free (no error if it was).
	DeletePrice(ctx context.Context, courseID string) error
	// SetFreeLesson marks or unmarks a lesson of courseID as a free preview.
	SetFreeLesson(ctx context.Context, courseID, lessonID string, free bool) error
	// CreateCoupon inserts c; ErrCouponCodeTaken if the teacher already
	// has its code.
	CreateCoupon(ctx context.Context, c Coupon) error
	// RedeemCoupon counts one redemption; ErrCouponExhausted when
	// MaxRedemptions is reached.
	RedeemCoupon(ctx context.Context, couponID string) error
	// ExpireCoupon makes a coupon expire at at if it would expire later
	// (disabling it).
	ExpireCoupon(ctx context.Context, couponID string, at time.Time) error
	// ReleaseCoupon gives one redemption back.
	ReleaseCoupon(ctx context.Context, couponID string) error
	// InsertOrder inserts o (Version 1). ErrConflict if the account
	// already used the idempotency key or has a pending order for the
	// course.
	InsertOrder(ctx context.Context, o Order) error
	// UpdateOrder writes o if the stored version is o.Version-1;
	// otherwise ErrConflict.
	UpdateOrder(ctx context.Context, o Order) error
	// AppendLedger adds e after the order's last entry.
	AppendLedger(ctx context.Context, e LedgerEntry) error
	// RecordEvent records a provider event by ID; fresh is false when it
	// was recorded before (the event is a duplicate).
	RecordEvent(ctx context.Context, provider, eventID, eventType string, at time.Time) (fresh bool, err error)
	// SetEventOutcome notes what an event did.
	SetEventOutcome(ctx context.Context, provider, eventID, orderID, outcome string) error
	// Grant activates the account's entitlement to the course for the
	// order (replacing a revoked one) and enrols the account in the
	// course if it is not yet. It leaves an active entitlement alone.
	Grant(ctx context.Context, e Entitlement) error
	// Revoke ends the entitlement that order gave; nothing if it gave none.
	Revoke(ctx context.Context, accountID, courseID, orderID string, at time.Time) error
	InsertRefund(ctx context.Context, r Refund) error
	// PutCommissionOverride sets a teacher's commission (nil: removes it).
	PutCommissionOverride(ctx context.Context, teacherID string, bps *int, at time.Time) error
	// InsertPaidStatement records a paid statement; ErrConflict if that
	// teacher's month and currency was paid already.
	InsertPaidStatement(ctx context.Context, st Statement) error
	// UpdateRefund writes r if its stored status is still prev; otherwise
	// ErrConflict.
	UpdateRefund(ctx context.Context, r Refund, prev RefundStatus) error
	// InsertExtraPayment records p; fresh is false (and nothing is
	// written) when p's provider payment was recorded before.
	InsertExtraPayment(ctx context.Context, p ExtraPayment) (fresh bool, err error)
	// UpdateExtraPayment writes p's status, refund reference, note and
	// completion if its stored status is still prev; otherwise
	// ErrConflict.
	UpdateExtraPayment(ctx context.Context, p ExtraPayment, prev ExtraStatus) error
	// InsertNotice tells an account something (classroom's notices).
	InsertNotice(ctx context.Context, n classroom.Notice) error
	// AppendAudit writes e to the append-only audit log, committed with
	// the transaction's change or not at all.
	AppendAudit(ctx context.Context, e classroom.AuditEntry) error
	// PutWeChatOpenID records the account's openid for appID.
	PutWeChatOpenID(ctx context.Context, accountID, appID, openID string, at time.Time) error
}

// Store is billing's persistence. Course, Lesson and Account are
// classroom's reads.
type Store interface {
	Reader
	// BillingTx runs fn in one transaction, committing if it returns nil.
	BillingTx(ctx context.Context, fn func(tx Tx) error) error
	Course(ctx context.Context, id string) (classroom.Course, error)
	Lesson(ctx context.Context, id string) (classroom.Lesson, error)
	Account(ctx context.Context, id string) (classroom.Account, error)
}
