// Package peer provides synthetic WebRTC participants built on Pion: a
// publisher that plays committed IVF/H.264/Ogg files in real time and
// answers keyframe requests, a subscriber that reassembles and checks what
// it receives, and a client for Lectern's signalling protocol. Tests and
// `lectern bench` use them; they only ever connect over loopback. Teach is
// the tests' one "teacher joins and publishes" step (tested in signaling,
// beside the server it needs); PublishesTo is the same step straight into
// an in-process SFU. The other test steps that many packages share live
// here too, each written once: Viewer, Player and ReceiveOnly (a
// subscriber, a WHEP player), Conn (a bare peer), Offer and OfferAnswer
// (a complete offer and its answer), PostSDP (a WHIP or WHEP POST), SFU
// and WaitTracks (a loopback SFU and the wait for a room's tracks),
// Subscriber.AnswerIn.
package peer
