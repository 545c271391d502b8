package signaling

import (
	"errors"
	"sync"
	"sync/atomic"
)

// messageCounts counts the messages clients sent, by type; types the
// server does not know are counted under "unknown", so the set of keys
// stays bounded.
var messageCounts sync.Map // string → *atomic.Uint64

func countMessage(typ string, err error) {
	var pe *Error
	if errors.As(err, &pe) && pe.Code == CodeUnknownType {
		typ = "unknown"
	}
	c, ok := messageCounts.Load(typ)
	if !ok {
		c, _ = messageCounts.LoadOrStore(typ, new(atomic.Uint64))
	}
	c.(*atomic.Uint64).Add(1)
}

// MessageCounts returns how many messages of each type clients have sent
// to this process.
func MessageCounts() map[string]uint64 {
	out := map[string]uint64{}
	messageCounts.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Uint64).Load()
		return true
	})
	return out
}

// ParticipantsByRole counts the joined WebSocket participants by role.
func (s *Server) ParticipantsByRole() map[string]int {
	out := map[string]int{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.lessons {
		for _, m := range h.members {
			out[string(m.claims.Role)]++
		}
	}
	return out
}
