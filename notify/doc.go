// Package notify delivers email through a durable outbox: a message is
// stored before anything is sent, so SMTP being down queues it instead of
// losing it; a worker claims each due message with a lease (one sender at
// a time, also across processes sharing the database), sends it with its
// outbox ID as the Message-ID, and marks it sent, retrying with backoff
// on failure. A message is sent again only if the process dies between
// the SMTP server's acceptance and the mark (at-least-once; the stable
// Message-ID lets receivers drop the duplicate). It knows nothing of HTTP.
package notify
