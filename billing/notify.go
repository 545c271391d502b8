package billing

// AccessListener hears that an account's access to a course changed (a
// full refund revoked its entitlement), so that connections already open
// are asked again; signaling implements it. It must not block.
type AccessListener interface {
	AccessChanged(accountID, courseID string)
}

type listenerBox struct{ AccessListener }

// SetAccessListener makes l hear entitlement changes (nil: nobody).
func (s *Service) SetAccessListener(l AccessListener) {
	if l == nil {
		s.listener.Store(nil)
		return
	}
	s.listener.Store(&listenerBox{l})
}

// accessChanged tells the listener that accountID's access to courseID
// changed, after the change is committed.
func (s *Service) accessChanged(accountID, courseID string) {
	if l := s.listener.Load(); l != nil {
		l.AccessChanged(accountID, courseID)
	}
}
