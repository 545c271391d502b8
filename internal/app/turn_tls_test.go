package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/app"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

const (
	tlsServerEnv = "LECTERN_TLS_SERVER"
	tlsTokenEnv  = "LECTERN_TLS_TOKEN"
)

// TestTURNOverTLSWithCertificate: the embedded TURN server's TLS listener,
// with a certificate signed by a certificate authority made for the test,
// relays media to a Pion client restricted to relay candidates and given
// only the turns: URL of its join answer. The client runs in a process of
// its own that trusts the authority as a real one would (SSL_CERT_FILE),
// so Pion checks the certificate against the host in the URL; without the
// authority a TLS client refuses the server.
func TestTURNOverTLSWithCertificate(t *testing.T) {
	if os.Getenv(childRoleEnv) == "tls-student" {
		tlsStudent(t)
		return
	}
	dir := t.TempDir()
	caFile, certFile, keyFile := writeTestCertificates(t, dir, net.IPv4(127, 0, 0, 1))
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Secret: secret, Loopback: true, ICEUDPAddr: "127.0.0.1:0",
		TURN: app.TURNConfig{TLSAddr: "127.0.0.1:0", CertFile: certFile, KeyFile: keyFile}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); _ = a.Close() })

	addr := a.TURN().Addrs()[0].String()
	var unknown x509.UnknownAuthorityError
	if c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "127.0.0.1"}); !errors.As(err, &unknown) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("a TLS client without the test's authority: %v, want an unknown authority", err)
	}

	student := startChild(t, "tls-student", 90*time.Second, map[string]string{"SSL_CERT_FILE": caFile,
		tlsServerEnv: srv.URL, tlsTokenEnv: lessonToken(t, a, "turn", "student", token.RoleStudent)}, false)
	student.check(t, "the student over TURN/TLS", func() { teach(t, a, srv) })
}

// tlsStudent runs in the student's process: relay candidates only, through
// the turns: URL only, and the media must come that way.
func tlsStudent(t *testing.T) {
	sub, err := peer.NewSubscriber(relayAPI(t, false, webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.PC.Close()
	c := joinAt(t, os.Getenv(tlsServerEnv), os.Getenv(tlsTokenEnv), sub)
	turns := relayOnly(t, sub, c.Joined, "student", func(u string) bool { return strings.HasPrefix(u, "turns:127.0.0.1:") })
	t.Logf("TURN servers: %v", turns.URLs)
	fmt.Println(childReady)
	local := expectMedia(t, sub)
	t.Logf("selected local candidate: %s, relay protocol %q, %s", local.CandidateType, local.RelayProtocol, local.URL)
	if local.CandidateType != webrtc.ICECandidateTypeRelay || local.RelayProtocol != "tls" {
		t.Errorf("media did not come through the TURN relay over TLS: %+v", local)
	}
}

// writeTestCertificates writes a new certificate authority (ca.pem) and a
// server certificate it signed for ip (cert.pem, key.pem) into dir.
func writeTestCertificates(t *testing.T, dir string, ip net.IP) (caFile, certFile, keyFile string) {
	t.Helper()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Lectern test authority"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: ip.String()}, IPAddresses: []net.IP{ip},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	caFile, certFile, keyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for f, b := range map[string]*pem.Block{caFile: {Type: "CERTIFICATE", Bytes: caDER},
		certFile: {Type: "CERTIFICATE", Bytes: leafDER}, keyFile: {Type: "PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(f, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return caFile, certFile, keyFile
}
