// Package relay is Lectern's embedded TURN server (pion/turn): UDP and TCP
// listeners, and TLS when a certificate is configured. Clients
// authenticate with ephemeral credentials in the scheme coturn calls
// use-auth-secret (the TURN REST API): the username is
// "<unix expiry>:<user>" and the password base64(HMAC-SHA1(secret,
// username)), so an external coturn sharing the secret can take its
// place.
//
// It is not an open relay: a client may only reach this server's own
// media addresses (Config.AllowPeer), both at CreatePermission and at
// every datagram the relay sends. TCP allocations (RFC 6062) are refused.
package relay
