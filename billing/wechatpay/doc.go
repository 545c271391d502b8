// Package wechatpay takes payments through WeChat Pay API v3 with the
// official SDK (github.com/wechatpay-apiv3/wechatpay-go v0.2.21): Native
// (a QR code the buyer scans, the default), H5 (a phone browser) and
// JSAPI (inside WeChat's browser, the payer's openid from WeChat's OAuth)
// checkouts, the last two when enabled; signed and encrypted payment and
// refund notifications, order queries for reconciliation, closing unpaid
// orders and refunds.
//
// Requests are signed with the merchant's API private key; answers and
// notifications are verified with WeChat Pay's public key (the "public
// key" mode, PUB_KEY_ID_…) before anything in them is read, and a
// notification's resource is decrypted with the APIv3 key (AES-256-GCM).
// A notification older than five minutes is refused (the SDK's check).
//
// Lectern's order ID (a UUID) travels as out_trade_no without its dashes
// (WeChat Pay allows 6–32 characters), a refund's ID as out_refund_no the
// same way, so every call is idempotent at WeChat Pay.
//
// wechatpay imports billing; nothing in billing imports it.
package wechatpay
