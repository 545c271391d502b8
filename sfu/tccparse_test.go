package sfu

import (
	"reflect"
	"testing"

	"github.com/pion/rtcp"
)

// tccSamples are transport-cc packets of every chunk kind.
func tccSamples(tb testing.TB) [][]byte {
	tb.Helper()
	pkts := []*rtcp.TransportLayerCC{
		{SenderSSRC: 1, MediaSSRC: 2, BaseSequenceNumber: 65530, PacketStatusCount: 20, ReferenceTime: 0xabcdef, FbPktCount: 9,
			PacketChunks: []rtcp.PacketStatusChunk{
				&rtcp.RunLengthChunk{PacketStatusSymbol: rtcp.TypeTCCPacketReceivedSmallDelta, RunLength: 5},
				&rtcp.StatusVectorChunk{SymbolSize: rtcp.TypeTCCSymbolSizeTwoBit, SymbolList: []uint16{1, 2, 0, 1, 1, 0, 2}},
				&rtcp.StatusVectorChunk{SymbolSize: rtcp.TypeTCCSymbolSizeOneBit, SymbolList: []uint16{1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1}},
			},
			RecvDeltas: nil},
		{MediaSSRC: 7, PacketStatusCount: 3,
			PacketChunks: []rtcp.PacketStatusChunk{&rtcp.RunLengthChunk{PacketStatusSymbol: rtcp.TypeTCCPacketReceivedLargeDelta, RunLength: 3}}},
		{MediaSSRC: 7, PacketStatusCount: 4,
			PacketChunks: []rtcp.PacketStatusChunk{&rtcp.RunLengthChunk{PacketStatusSymbol: rtcp.TypeTCCPacketNotReceived, RunLength: 4}}},
	}
	var out [][]byte
	for _, p := range pkts {
		// Deltas as the chunks ask for them.
		var f func(sym uint16, n int)
		f = func(sym uint16, n int) {
			for range n {
				switch sym {
				case rtcp.TypeTCCPacketReceivedSmallDelta:
					p.RecvDeltas = append(p.RecvDeltas, &rtcp.RecvDelta{Type: sym, Delta: 250 * int64(len(p.RecvDeltas)+1)})
				case rtcp.TypeTCCPacketReceivedLargeDelta:
					p.RecvDeltas = append(p.RecvDeltas, &rtcp.RecvDelta{Type: sym, Delta: -250 * int64(len(p.RecvDeltas)+100)})
				}
			}
		}
		left := int(p.PacketStatusCount)
		for _, c := range p.PacketChunks {
			switch c := c.(type) {
			case *rtcp.RunLengthChunk:
				f(c.PacketStatusSymbol, min(left, int(c.RunLength)))
				left -= min(left, int(c.RunLength))
			case *rtcp.StatusVectorChunk:
				for _, s := range c.SymbolList[:min(left, len(c.SymbolList))] {
					f(s, 1)
				}
				left -= min(left, len(c.SymbolList))
			}
		}
		p.Header = rtcp.Header{Count: rtcp.FormatTCC, Type: rtcp.TypeTransportSpecificFeedback, Length: uint16(p.MarshalSize()/4 - 1)}
		b, err := p.Marshal()
		if err != nil {
			tb.Fatal(err)
		}
		var check rtcp.TransportLayerCC
		if err := check.Unmarshal(b); err != nil {
			tb.Fatalf("sample %d: %v", len(out), err)
		}
		out = append(out, b)
	}
	return out
}

// sameTCC reports whether two parses agree (nil and empty slices alike).
func sameTCC(a, b *rtcp.TransportLayerCC) bool {
	x, y := *a, *b
	if len(x.PacketChunks) == 0 && len(y.PacketChunks) == 0 {
		x.PacketChunks, y.PacketChunks = nil, nil
	}
	if len(x.RecvDeltas) == 0 && len(y.RecvDeltas) == 0 {
		x.RecvDeltas, y.RecvDeltas = nil, nil
	}
	return reflect.DeepEqual(x, y)
}

// FuzzTCCParserMatchesPion: for any bytes, tccParser fails where
// pion/rtcp's Unmarshal fails and otherwise returns the same packet, also
// when the parser is reused after other packets.
func FuzzTCCParserMatchesPion(f *testing.F) {
	for _, b := range tccSamples(f) {
		f.Add(b)
		f.Add(b[:len(b)-2])
	}
	for _, g := range garbageRTCP()[:9] {
		f.Add(g)
	}
	var p tccParser
	samples := tccSamples(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var want rtcp.TransportLayerCC
		werr := want.Unmarshal(b)
		for round := range 2 {
			got, err := p.parse(b)
			if (err == nil) != (werr == nil) {
				t.Fatalf("round %d: error %v, pion's %v", round, err, werr)
			}
			if err == nil && !sameTCC(got, &want) {
				t.Fatalf("round %d: parsed\n%+v\npion's\n%+v", round, got, &want)
			}
			_, _ = p.parse(samples[0]) // the next round reuses a filled parser
		}
	})
}

// TestTCCParserDoesNotAllocate: once warm, decoding feedback allocates
// nothing (pion/rtcp allocates a record per chunk and per packet).
func TestTCCParserDoesNotAllocate(t *testing.T) {
	var p tccParser
	samples := tccSamples(t)
	allocs := testing.AllocsPerRun(100, func() {
		for _, b := range samples {
			if _, err := p.parse(b); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per round of %d reports", allocs, len(samples))
	}
}
