// Package notify delivers email through a durable outbox: a message is
// stored before anything is sent, so SMTP being down queues it instead of
// losing it; a worker claims each due message with a lease (one sender at
// a time, also across processes sharing the database), sends it with its
// outbox ID as the Message-ID, and marks it sent, retrying with backoff
// on failure. A message is sent again only if the process dies between
// the SMTP server's acceptance and the mark (at-least-once; the stable
// Message-ID lets receivers drop the duplicate). A permanent refusal (an
// SMTP 5xx to RCPT or DATA, ErrBounced) is not retried: the store marks
// the address as bouncing and keeps its mail unsent until the mark is
// cleared. It knows nothing of HTTP.
package notify
