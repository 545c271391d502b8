// Package cascade spreads one lesson's media over several nodes: the
// origin (the node that holds the lesson's lease, where the teacher
// publishes) and edges (nodes that serve more of its students).
//
// An edge opens one server-to-server relay per lesson to the origin: a
// WebSocket at RelayPath on the origin, authenticated with the cluster's
// shared secret (auth.go), carries the SDP of one Pion-to-Pion
// PeerConnection. On the origin the relay is an ordinary subscribing
// participant of the lesson's SFU room, marked as a relay: it gets the
// sound as any subscriber and each simulcast layer of every video as a
// stream of its own (sfu's relay.go), and its keyframe requests reach the
// teacher. On the edge the same connection is the publishing connection
// of a participant of the local room, so the edge's students are served
// by the normal down-track path and exactly one copy of each stream
// crosses between the nodes however many students the edge has.
// The relayed tracks are shown to the edge's students as the origin
// publisher's (sfu.Participant.PublishRelayed).
//
// In a running server (internal/app) every cluster node is both: it
// serves relays of the lessons it owns and, as the edge a big lesson
// spilled onto (cluster.Node.JoinURL, --spill-at), relays them to its
// students. The classroom of those students stays on the origin
// (signaling's edge.go); ClassroomHeader and VerifyClassroom sign the
// connections that carry it.
//
// The origin checks every second that it still holds the lesson's lease
// and closes the relay (StatusNotOrigin) once it does not.
//
// A node shutting down closes both sides: Origin.Close ends the relays it
// serves and Edge.Close the relays it pulls, and each waits for them.
//
// The origin makes every offer (its subscriber side always does); the
// edge answers through sfu.Participant.PublishRelayed. Both descriptions carry
// all their candidates, so nothing trickles.
//
// cascade imports sfu and cluster; cluster does not import it.
package cascade
