// Package alipay takes payments through Alipay's open platform with
// github.com/smartwalle/alipay/v3 v3.2.25: computer website pay
// (alipay.trade.page.pay, the default) and mobile website pay
// (alipay.trade.wap.pay), RSA2-signed asynchronous notifications verified
// with Alipay's public key before anything in them is read, trade queries
// for reconciliation, closing unpaid trades and refunds
// (alipay.trade.refund with out_request_no = the refund's ID, so a
// repeated call refunds once).
//
// Amounts travel in yuan with two decimals and are converted to and from
// fen without floats. Alipay's domestic products take CNY only.
//
// alipay imports billing; nothing in billing imports it.
package alipay
