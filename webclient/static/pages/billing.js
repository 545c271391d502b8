// Billing seam. docs/api.md has no "Billing" section yet (prices, checkout,
// purchases, refunds and revenue are being built server-side). When it
// lands, fill these in; the course page and the router already call them.
//
//   coursePurchase(course, account) → an element with the price and a buy
//     button for a course the account may buy, or null (free, or nothing
//     to sell yet).
//   mountPurchases(root) → the "my purchases" page (/purchases), with
//     refund requests.

export function coursePurchase(course, account) { // eslint-disable-line no-unused-vars
  return null;
}

export const BILLING_ENABLED = false;
