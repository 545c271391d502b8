// Package access is Lectern's one access policy: it decides whether an
// account may pass one of a lesson's doors — the join-token endpoint, the
// WebSocket join and resume, WHIP and WHEP, and (for other packages) HLS,
// replays, materials and exercises — from the account (known, not disabled), its
// relation to the course (teacher, assistant, enrolled student, admin),
// its entitlement (asked of billing), a ban from the lesson (asked of the
// live classroom) and the lesson's status.
//
// Every door calls [Policy.Decide] with the account, the lesson and the
// door, and gets a [Decision]: allowed with the lesson role the account
// takes, or denied with a stable [Reason] and a message that can be shown.
// The doors ask again whenever access may have changed (a refund, a
// removal, a ban, an account disabled, the lesson's end), so connections
// already open obey the same decision as new ones.
//
// It imports classroom (accounts, courses, lessons) and token (roles), and
// declares the small interfaces it needs of the store, billing and the
// live classroom ([Facts], [Entitlements], [Bans]); it must not import
// billing, signaling, sfu, api or store.
package access
