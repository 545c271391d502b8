package sfu

import (
	"encoding/binary"

	"github.com/pion/rtcp"
)

// tccParser decodes transport-cc feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) into one
// reused rtcp.TransportLayerCC: what it returns is exactly what
// rtcp.TransportLayerCC.Unmarshal makes (FuzzTCCParserMatchesPion), but
// its chunks and deltas live in storage the parser keeps, where pion/rtcp
// allocates one record per chunk and per reported packet. The result is
// valid until the next parse; it holds nothing of the bytes parsed.
type tccParser struct {
	fb     rtcp.TransportLayerCC
	runs   []rtcp.RunLengthChunk
	vecs   []rtcp.StatusVectorChunk
	syms   []uint16
	deltas []rtcp.RecvDelta
}

// Offsets in a transport-cc packet, after its 4-byte header.
const (
	tccHeader      = 4
	tccChunksStart = tccHeader + 16
)

func (p *tccParser) parse(b []byte) (*rtcp.TransportLayerCC, error) {
	t := &p.fb
	if len(b) < tccHeader+4 {
		return nil, errRTCPShort
	}
	*t = rtcp.TransportLayerCC{PacketChunks: t.PacketChunks[:0], RecvDeltas: t.RecvDeltas[:0]}
	if err := t.Header.Unmarshal(b); err != nil {
		return nil, err
	}
	total := 4 * (int(t.Header.Length) + 1)
	if total < tccChunksStart || len(b) < total {
		return nil, errRTCPShort
	}
	if t.Header.Type != rtcp.TypeTransportSpecificFeedback || t.Header.Count != rtcp.FormatTCC {
		return nil, errRTCPType
	}
	t.SenderSSRC = binary.BigEndian.Uint32(b[4:])
	t.MediaSSRC = binary.BigEndian.Uint32(b[8:])
	t.BaseSequenceNumber = binary.BigEndian.Uint16(b[12:])
	t.PacketStatusCount = binary.BigEndian.Uint16(b[14:])
	t.ReferenceTime = uint32(b[16])<<16 | uint32(b[17])<<8 | uint32(b[18])
	t.FbPktCount = b[19]

	// Room for every chunk and delta the packet can hold, made before
	// any pointer is taken: a chunk is 2 bytes, a delta at least 1.
	room := total - tccChunksStart
	p.runs = grow(p.runs, room/2)
	p.vecs = grow(p.vecs, room/2)
	p.syms = grow(p.syms, room/2*14)
	p.deltas = grow(p.deltas, room)

	count := int(t.PacketStatusCount)
	done := 0
	pos := tccChunksStart
	addDeltas := func(typ uint16, n int) bool {
		if len(p.deltas)+n > cap(p.deltas) {
			return false // more than the packet can carry: it is short
		}
		for range n {
			p.deltas = append(p.deltas, rtcp.RecvDelta{Type: typ})
		}
		return true
	}
	p.runs, p.vecs, p.syms, p.deltas = p.runs[:0], p.vecs[:0], p.syms[:0], p.deltas[:0]
	for done < count {
		if pos+2 >= total {
			return nil, errRTCPShort
		}
		b0, b1 := b[pos], b[pos+1]
		if b0>>7 == rtcp.TypeTCCRunLengthChunk {
			sym := uint16(b0>>5) & 3
			run := uint16(b0&0x1f)<<8 | uint16(b1)
			n := min(count-done, int(run))
			if sym == rtcp.TypeTCCPacketReceivedSmallDelta || sym == rtcp.TypeTCCPacketReceivedLargeDelta {
				if !addDeltas(sym, n) {
					return nil, errRTCPShort
				}
			}
			done += n
			p.runs = append(p.runs, rtcp.RunLengthChunk{Type: rtcp.TypeTCCRunLengthChunk, PacketStatusSymbol: sym, RunLength: run})
			t.PacketChunks = append(t.PacketChunks, &p.runs[len(p.runs)-1])
		} else {
			size := uint16(b0>>6) & 1
			start := len(p.syms)
			if size == rtcp.TypeTCCSymbolSizeOneBit {
				for i := 5; i >= 0; i-- {
					p.syms = append(p.syms, uint16(b0>>i)&1)
				}
				for i := 7; i >= 0; i-- {
					p.syms = append(p.syms, uint16(b1>>i)&1)
				}
			} else {
				for i := 4; i >= 0; i -= 2 {
					p.syms = append(p.syms, uint16(b0>>i)&3)
				}
				for i := 6; i >= 0; i -= 2 {
					p.syms = append(p.syms, uint16(b1>>i)&3)
				}
			}
			list := p.syms[start:len(p.syms):len(p.syms)]
			n := min(count-done, len(list))
			for _, s := range list[:n] {
				if s == rtcp.TypeTCCPacketReceivedSmallDelta || size == rtcp.TypeTCCSymbolSizeTwoBit && s == rtcp.TypeTCCPacketReceivedLargeDelta {
					if !addDeltas(s, 1) {
						return nil, errRTCPShort
					}
				}
			}
			done += n
			p.vecs = append(p.vecs, rtcp.StatusVectorChunk{Type: rtcp.TypeTCCStatusVectorChunk, SymbolSize: size, SymbolList: list})
			t.PacketChunks = append(t.PacketChunks, &p.vecs[len(p.vecs)-1])
		}
		pos += 2
	}
	for i := range p.deltas {
		d := &p.deltas[i]
		if d.Type == rtcp.TypeTCCPacketReceivedSmallDelta {
			if pos+1 > total {
				return nil, errRTCPShort
			}
			d.Delta = rtcp.TypeTCCDeltaScaleFactor * int64(b[pos])
			pos++
		} else {
			if pos+2 > total {
				return nil, errRTCPShort
			}
			d.Delta = rtcp.TypeTCCDeltaScaleFactor * int64(int16(binary.BigEndian.Uint16(b[pos:])))
			pos += 2
		}
		t.RecvDeltas = append(t.RecvDeltas, d)
	}
	return t, nil
}

// grow returns s emptied, with room for at least n elements.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}
