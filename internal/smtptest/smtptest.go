// Package smtptest is a tiny SMTP server on loopback for tests: it accepts
// every message (no TLS, no AUTH) and keeps them, except for the
// recipients it was told to refuse (Refuse). Tests only.
package smtptest

import (
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// Server is a running test SMTP server.
type Server struct {
	ln      net.Listener
	mu      sync.Mutex // guards msgs, refused, tries
	msgs    []Message
	refused map[string]refusal
	tries   map[string]int
	wg      sync.WaitGroup
}

// Message is one received message; Data has LF line ends.
type Message struct {
	From, To string
	Data     string
}

// Start listens on addr (127.0.0.1:0 for any port) until the test ends.
func Start(t testing.TB, addr string) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(s.Close)
	return s
}

// refusal is how a refused recipient is answered.
type refusal struct {
	reply  string // e.g. "550 5.1.1 no such user"
	atData bool   // after the message's data instead of at RCPT
}

// Refuse makes the server answer reply (a full SMTP reply line, such as
// "550 5.1.1 no such user") to mail for to: at RCPT, or, atData, after
// the message's data. Refuse(to, "", false) accepts it again.
func (s *Server) Refuse(to, reply string, atData bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == nil {
		s.refused = map[string]refusal{}
	}
	if reply == "" {
		delete(s.refused, to)
		return
	}
	s.refused[to] = refusal{reply: reply, atData: atData}
}

// Tries counts the deliveries attempted to to (refused ones included).
func (s *Server) Tries(to string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tries[to]
}

// refusalOf counts an attempt to to and returns its refusal, if any.
func (s *Server) refusalOf(to string) (refusal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tries == nil {
		s.tries = map[string]int{}
	}
	s.tries[to]++
	r, ok := s.refused[to]
	return r, ok
}

// Addr is host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server and waits for its connections.
func (s *Server) Close() {
	s.ln.Close()
	s.wg.Wait()
}

// Messages returns what was received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 lectern-test ESMTP")
	var (
		cur     Message
		ref     refusal
		refused bool
	)
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250 lectern-test")
		case "MAIL":
			cur = Message{From: line}
			_ = tp.PrintfLine("250 OK")
		case "RCPT":
			cur.To = strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(line, ":", 2)[1], "<"), ">")
			ref, refused = s.refusalOf(cur.To)
			if refused && !ref.atData {
				_ = tp.PrintfLine("%s", ref.reply)
				continue
			}
			_ = tp.PrintfLine("250 OK")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			if refused {
				_ = tp.PrintfLine("%s", ref.reply)
				continue
			}
			cur.Data = string(b)
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "RSET", "NOOP":
			_ = tp.PrintfLine("250 OK")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("502 not implemented")
		}
	}
}
