// Package publicurl decides the URL people use to reach Lectern, for every
// absolute link the server writes (checkout returns, mails): the configured
// --public-url when there is one, otherwise the request's own scheme and
// Host, and behind a reverse proxy the X-Forwarded-Host/Proto headers, but
// only from peers listed as trusted proxies. Behind such a proxy it also
// names the client's address (ClientIP, from X-Forwarded-For) for the
// per-address limits of the API and of signalling. It imports nothing of
// Lectern.
package publicurl
