// Package billingmail mails buyers what billing decided about their
// money: a receipt for every paid order, and the outcome of every refund
// request (declined with the decider's note, refunded, or failed), in the
// buyer's language (zh-CN or English), with the same news as an in-app
// notice (but for a refund billing made by itself, whose notice billing
// wrote with the refund: billing.AutoActor).
//
// It does not hook into billing's transactions. A sweeper looks every
// minute for paid orders and decided refunds whose mail is not queued
// yet, and queues each mail with a key (one per order, one per refund
// outcome) in the same transaction, so a mail is queued exactly once
// whatever crashes, restarts or other servers there are; package notify's
// outbox then delivers it. Orders paid and refunds decided before the
// mail_keys migration are never mailed.
//
// It imports billing and classroom for their types, nothing of HTTP, and
// no database package: its Store is implemented by package store.
package billingmail
