// Package billing is what makes Lectern a business: course prices,
// coupons, orders and their payment through a provider, provider webhooks,
// refunds, entitlements (who may join a paid course's lessons, open its
// materials and watch its replays) and revenue reports.
//
// Money is always an int64 amount in the currency's minor units (cents,
// fen, yen) with an ISO 4217 code; there are no floats anywhere.
//
// An order goes pending → paid → partially_refunded / refunded, or
// pending → expired / cancelled. Every transition happens in one database
// transaction together with an entry in the append-only ledger; webhook
// events are recorded by id in that same transaction, so a delivery is
// applied exactly once however often the provider retries it and whatever
// happens to the process in between.
//
// Payment providers sit behind Provider, each in its own subpackage:
// billing/devpay (a checkout page served by Lectern, for local use and
// tests), billing/stripe, billing/wechatpay and billing/alipay; several
// may be enabled at once and the buyer chooses at checkout. billing/setup
// builds them from the server's flags. Reconcile asks the providers that
// can be asked (Querier) about orders whose notification never came.
// A second payment for an order already paid (ExtraPayment) is recorded
// once per provider payment and returned automatically; so is an order
// paid while its buyer already owned the course. The buyer is told with a
// notice (NoticeAutoRefund).
// With no provider enabled payments are disabled: paid courses cannot be
// bought (ErrPaymentsDisabled). The dev provider is enabled only when
// chosen explicitly.
//
// Service is the domain and implements api.AccessPolicy; package
// billing/billinghttp mounts its routes (/api/v1/billing/...,
// /api/v1/orders/..., prices, coupons, refunds, revenue) reusing package
// api's session authentication. Persistence is the Store interface
// declared here and implemented by package store on SQLite and
// PostgreSQL.
//
// billing must not import store, api, signaling, sfu, net/http's servers'
// templates or any provider SDK: store imports billing, and must stay free
// of all that (store's TestStoreDependencies checks it).
package billing
