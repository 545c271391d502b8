package peer

import "github.com/pion/webrtc/v4"

// Viewer is the tests' Subscriber on its own Pion API (NewAPI), closed
// when t ends; any failure fails t.
func Viewer(t TB) *Subscriber {
	t.Helper()
	api, err := NewAPI()
	if err != nil {
		t.Fatalf("viewer's API: %v", err)
	}
	s, err := NewSubscriber(api)
	if err != nil {
		t.Fatalf("viewer: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Player is a Viewer that offers as a WHEP player does (ReceiveOnly).
func Player(t TB) *Subscriber {
	t.Helper()
	s := Viewer(t)
	ReceiveOnly(t, s.PC)
	return s
}

// ReceiveOnly adds to pc the receive-only video and audio transceivers a
// WHEP player offers; any failure fails t.
func ReceiveOnly(t TB, pc *webrtc.PeerConnection) {
	t.Helper()
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecTypeAudio} {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatalf("receive-only %s: %v", k, err)
		}
	}
}

// Conn is a bare Pion PeerConnection on NewAPI, closed when t ends; any
// failure fails t.
func Conn(t TB) *webrtc.PeerConnection {
	t.Helper()
	api, err := NewAPI()
	if err != nil {
		t.Fatalf("connection's API: %v", err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatalf("connection: %v", err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	return pc
}
