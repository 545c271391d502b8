package sfu

import (
	"strconv"
	"strings"
	"sync"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
)

// ridTagger makes one WHIP offer shape receivable: a video section with
// RIDs (a=rid, a=simulcast) that also declares one SSRC per layer (with RTX
// a=ssrc-group:FID, no a=ssrc-group:SIM) and sends packets without the mid
// and RID header extensions, as a Pion v4 publisher using AddEncoding does.
// Pion ignores declared SSRCs in a section with RIDs and identifies each
// incoming stream by those extensions only, so such a publisher delivered
// no video. The tagger learns SSRC → (mid, rid) from the offer (RIDs and
// SSRCs are listed in the same order, lowest layer first) and adds the
// missing extensions to those streams' packets as they are read, before
// Pion looks for them. Streams it has not learnt pass untouched, and so do
// packets that already carry a RID.
type ridTagger struct {
	mu   sync.RWMutex // guards tags
	tags map[uint32]ridTag
}

// ridTagPackets is how many packets of a stream are tagged: Pion reads at
// most simulcastProbeCount (10) packets to identify a stream, and after
// that routes by SSRC; the rest pass untouched.
const ridTagPackets = 64

type ridTag struct {
	mid, rid string
	repair   bool         // an RTX stream: repaired-rtp-stream-id
	owner    *Participant // whose offer taught it: only its owner forgets it
}

func newRIDTagger() *ridTagger { return &ridTagger{tags: map[uint32]ridTag{}} }

// learn records the tags an offer of owner implies (nothing for other
// shapes) and returns the SSRCs learnt, for forget.
func (t *ridTagger) learn(owner *Participant, offer *sdp.SessionDescription) []uint32 {
	var learnt []uint32
	for _, m := range offer.MediaDescriptions {
		if m.MediaName.Media != "video" {
			continue
		}
		var rids, primaries []string
		var mid string
		hasSIM := false
		repairOf := map[string]string{} // repair SSRC → primary
		seen := map[string]bool{}
		for _, a := range m.Attributes {
			f := strings.Fields(a.Value)
			switch a.Key {
			case "mid":
				mid = a.Value
			case "rid":
				if len(f) >= 2 && f[1] == "send" {
					rids = append(rids, f[0])
				}
			case "ssrc-group":
				if len(f) > 0 && f[0] == "SIM" {
					hasSIM = true
				}
				if len(f) == 3 && f[0] == "FID" {
					repairOf[f[2]] = f[1]
				}
			}
		}
		for _, a := range m.Attributes {
			if a.Key != "ssrc" {
				continue
			}
			id, _, _ := strings.Cut(a.Value, " ")
			if seen[id] {
				continue
			}
			seen[id] = true
			if _, repair := repairOf[id]; !repair {
				primaries = append(primaries, id)
			}
		}
		if len(rids) < 2 || hasSIM || len(primaries) != len(rids) || mid == "" {
			continue
		}
		t.mu.Lock()
		for i, p := range primaries {
			if n, err := strconv.ParseUint(p, 10, 32); err == nil {
				t.tags[uint32(n)] = ridTag{mid: mid, rid: rids[i], owner: owner}
				learnt = append(learnt, uint32(n))
			}
		}
		for r, p := range repairOf {
			for i, q := range primaries {
				if q != p {
					continue
				}
				if n, err := strconv.ParseUint(r, 10, 32); err == nil {
					t.tags[uint32(n)] = ridTag{mid: mid, rid: rids[i], repair: true, owner: owner}
					learnt = append(learnt, uint32(n))
				}
			}
		}
		t.mu.Unlock()
	}
	return learnt
}

// forget drops tags that owner's offers taught (what learn returned). A
// tag another participant's offer has since taught for the same SSRC is
// that participant's, and stays.
func (t *ridTagger) forget(owner *Participant, ssrcs []uint32) {
	if len(ssrcs) == 0 {
		return
	}
	t.mu.Lock()
	for _, s := range ssrcs {
		if tg, ok := t.tags[s]; ok && tg.owner == owner {
			delete(t.tags, s)
		}
	}
	t.mu.Unlock()
}

func (t *ridTagger) tag(ssrc uint32) (ridTag, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	tg, ok := t.tags[ssrc]
	return tg, ok
}

// NewInterceptor implements interceptor.Factory.
func (t *ridTagger) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &ridTagInterceptor{t: t}, nil
}

type ridTagInterceptor struct {
	interceptor.NoOp
	t *ridTagger
}

// BindRemoteStream tags the packets of a stream the tagger knows.
func (i *ridTagInterceptor) BindRemoteStream(info *interceptor.StreamInfo, r interceptor.RTPReader) interceptor.RTPReader {
	var midID, ridID, rsidID uint8
	for _, e := range info.RTPHeaderExtensions {
		switch e.URI {
		case sdp.SDESMidURI:
			midID = uint8(e.ID)
		case sdp.SDESRTPStreamIDURI:
			ridID = uint8(e.ID)
		case sdp.SDESRepairRTPStreamIDURI:
			rsidID = uint8(e.ID)
		}
	}
	if midID == 0 || ridID == 0 {
		return r
	}
	var pkt rtp.Packet
	var out []byte
	seen := 0 // packets looked at; Pion identifies a stream within its first few
	return interceptor.RTPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, attr, err := r.Read(b, a)
		if err != nil || n < 12 || seen >= ridTagPackets {
			return n, attr, err
		}
		seen++
		tg, ok := i.t.tag(info.SSRC)
		if !ok {
			ssrc := uint32(b[8])<<24 | uint32(b[9])<<16 | uint32(b[10])<<8 | uint32(b[11])
			if tg, ok = i.t.tag(ssrc); !ok {
				return n, attr, err
			}
		}
		if pkt.Unmarshal(b[:n]) != nil {
			return n, attr, err
		}
		if len(pkt.Header.GetExtension(ridID)) > 0 || (rsidID != 0 && len(pkt.Header.GetExtension(rsidID)) > 0) {
			seen = ridTagPackets // the publisher tags its packets itself
			return n, attr, err
		}
		id := ridID
		if tg.repair {
			if rsidID == 0 {
				return n, attr, err
			}
			id = rsidID
		}
		if pkt.Header.SetExtension(midID, []byte(tg.mid)) != nil || pkt.Header.SetExtension(id, []byte(tg.rid)) != nil {
			return n, attr, err
		}
		size := pkt.MarshalSize()
		if size > len(b) {
			return n, attr, err
		}
		if cap(out) < size {
			out = make([]byte, size)
		}
		m, merr := pkt.MarshalTo(out[:size])
		if merr != nil {
			return n, attr, err
		}
		return copy(b, out[:m]), attr, err
	})
}
