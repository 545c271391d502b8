package sfu

import (
	"strconv"
	"strings"
)

// Relays between nodes (package cluster/cascade). On the origin, a relay
// is a subscribing participant with ParticipantConfig.Relay: it receives
// each simulcast layer of every video as a stream of its own, pinned to
// that layer, so that the edge has every layer its students may need. Its
// down-tracks of layer n > 0 are named relayLayerID(track, n). On the
// edge, PublishRelayed gathers the streams of one track back into one
// simulcast Track, each stream becoming the layer its id names, and the
// edge's own allocator picks a layer per student.
//
// A relay receives only the layers a track has: a video without simulcast
// crosses as one stream. Simulcast layers appear one by one, each when its
// first packet arrives (Pion reports an encoding on its first packet, and
// a publisher may start a layer late or only when asked), so a layer that
// appears after the track was published is added to every relay then.

// relayLayerSep separates a relayed layer's number from its track's id.
const relayLayerSep = "~"

// relayLayerID names the relay stream of layer n of track id.
func relayLayerID(id string, n int) string {
	if n == 0 {
		return id
	}
	return id + relayLayerSep + strconv.Itoa(n)
}

// parseRelayLayer splits a relay stream's id into its track's id and
// layer (0 for a plain id).
func parseRelayLayer(id string) (string, int) {
	i := strings.LastIndex(id, relayLayerSep)
	if i < 0 {
		return id, 0
	}
	n, err := strconv.Atoi(id[i+len(relayLayerSep):])
	if err != nil || n <= 0 || n >= maxLayers {
		return id, 0
	}
	return id[:i], n
}

// relayLayer gives every relay in the room the streams of t's layers it
// does not have yet: a layer of t appeared after t was published. A track
// not yet registered is left to addTrack, whose subscriptions come after
// the layer and so see it.
func (r *Room) relayLayer(t *Track) {
	r.mu.Lock()
	if r.tracks[t.id] != t {
		r.mu.Unlock()
		return
	}
	ps := values(r.participants)
	r.mu.Unlock()
	for _, p := range ps {
		if p != t.owner && p.cfg.Relay && p.cfg.Subscribe {
			p.subscribe(t)
		}
	}
}
