package live

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/token"
)

// Quality is a participant's connection quality as the media layer sees it.
type Quality string

// The qualities.
const (
	QualityUnknown Quality = ""
	QualityGood    Quality = "good"
	QualityFair    Quality = "fair"
	QualityPoor    Quality = "poor"
)

// MaxNameLen is the longest display name, in characters.
const MaxNameLen = 200

// member is a participant in the room, connected or within the grace.
type member struct {
	ID     string
	UserID string
	Name   string
	Role   token.Role
	Perms  token.Permissions
	Kind   Kind
	// remote: joined through an edge node of the cascade, which serves
	// its media; it cannot publish, so it is not invited on stage.
	remote bool

	seq       uint64
	conn      string    // current connection id
	connected bool      //
	droppedAt time.Time // when the last connection dropped, if !connected
	joinedAt  time.Time // start of the open attendance interval

	onStage      bool
	muted        bool // microphone off, by the participant or a moderator
	muteLocked   bool // a moderator muted them: they may unmute only after being asked
	unmuteAsked  bool
	cameraOff    bool // camera off, by the participant or a moderator
	videoStopped bool // a moderator stopped the camera: the SFU is not forwarding it
	speaking     bool
	quality      Quality

	chatMuted bool
	restored  bool // brought back by Restore and not resumed yet: no attendance interval open
	bucket    bucket
	pointer   bucket // slides.pointer moves
	lastChat  time.Time
}

// ParticipantInfo is a participant as every client sees them. Quality is
// the exception: only moderators and the participant themselves see it
// (in their snapshot, then through participant.quality deltas), so the
// copies everyone gets leave it out rather than carry a stale grade.
type ParticipantInfo struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Role         token.Role `json:"role"`
	HandRaised   bool       `json:"handRaised"`
	OnStage      bool       `json:"onStage"`
	Muted        bool       `json:"muted"`
	CameraOff    bool       `json:"cameraOff"`
	Speaking     bool       `json:"speaking"`
	Quality      Quality    `json:"quality,omitempty"`
	Reconnecting bool       `json:"reconnecting,omitempty"`
	Kind         Kind       `json:"kind,omitempty"`
}

func (l *Lesson) info(m *member) ParticipantInfo {
	return ParticipantInfo{
		ID:           m.ID,
		Name:         m.Name,
		Role:         m.Role,
		HandRaised:   l.handIndex(m.ID) >= 0,
		OnStage:      m.onStage,
		Muted:        m.muted,
		CameraOff:    m.cameraOff,
		Speaking:     m.speaking,
		Reconnecting: !m.connected,
		Kind:         m.Kind,
	}
}

func (l *Lesson) updated(r *Result, m *member) {
	r.emit(EvParticipantUpdated, everyone(), l.info(m))
}

// JoinRequest is a verified join token plus the connection it came on.
type JoinRequest struct {
	// ConnID identifies this connection; unique per connection. A first
	// join uses it as the participant id.
	ConnID string
	UserID string
	Name   string
	Role   token.Role
	Perms  token.Permissions
	// Kind is KindBrowser for the web client, or KindOBS / KindPlayer for
	// a WHIP publisher / WHEP player: those never resume or replace
	// another connection of the same user, and leave at once when they
	// drop.
	Kind Kind
	// Remote is a participant whose media an edge node serves (the
	// cascade, package signaling): it cannot go on stage.
	Remote bool
}

// Kind is what a participant connects with.
type Kind string

// The kinds.
const (
	KindBrowser Kind = ""
	KindOBS     Kind = "obs"    // a WHIP publisher
	KindPlayer  Kind = "player" // a WHEP player
)

// userKey is how a member is found again on resume: by user for the web
// client, never for WHIP and WHEP sessions (one participant each).
func userKey(userID string, kind Kind, connID string) string {
	if kind == KindBrowser {
		return userID
	}
	return userID + "\x00" + string(kind) + "\x00" + connID
}

// JoinResult is what a successful Join produced.
type JoinResult struct {
	// ParticipantID is the id to issue commands as. It is ConnID on a first
	// join, and the earlier id when the user resumes within the grace.
	ParticipantID string
	// Resumed is true when the user came back within the grace and kept
	// their hand, stage place and role.
	Resumed bool
	// Snapshot is the room as this participant sees it.
	Snapshot Snapshot
	Result
}

// Left is the payload of participant.left.
type Left struct {
	ParticipantID string `json:"participantId"`
	Reason        string `json:"reason"` // "left", "removed", "banned"
}

// Removed is the payload of participant.removed, sent to the removed
// participant only.
type Removed struct {
	By     string `json:"by"`
	Banned bool   `json:"banned"`
}

// Join admits a participant, or resumes one who dropped within the grace.
// It refuses with CodeEnded, CodeBanned, CodeLocked (moderators may still
// join a locked lesson, and anyone may resume) or CodeInvalid.
func (l *Lesson) Join(ctx context.Context, req JoinRequest) (JoinResult, error) {
	var jr JoinResult
	// The name in the join token is shown to everyone: no bidi overrides
	// or invisible characters, whoever signed the token.
	name := classroom.NormalizeName(req.Name)
	switch {
	case req.ConnID == "" || req.UserID == "":
		return jr, errf(CodeInvalid, "connection and user ids are required")
	case !req.Role.Valid():
		return jr, errf(CodeInvalid, "unknown role %q", req.Role)
	case !utf8.ValidString(req.Name) || utf8.RuneCountInString(req.Name) > MaxNameLen:
		return jr, errf(CodeInvalid, "name must be valid text of at most %d characters", MaxNameLen)
	}
	if name == "" {
		name = "Guest"
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return jr, errf(CodeEnded, "the lesson has ended")
	}
	if l.banned[req.UserID] {
		return jr, errf(CodeBanned, "you are banned from this lesson")
	}
	now := l.now()
	r := &jr.Result

	if pid, ok := l.byUser[userKey(req.UserID, req.Kind, req.ConnID)]; ok {
		// Resume: keep id, role, hand, stage; the room sees no leave.
		m := l.members[pid]
		if m.connected && m.conn != req.ConnID {
			r.effect(Effect{Kind: EffectDisconnect, Participant: m.ID, Conn: m.conn, Reason: "replaced"})
		}
		delete(l.conns, m.conn)
		m.conn = req.ConnID
		l.conns[req.ConnID] = m.ID
		m.connected = true
		m.droppedAt = time.Time{}
		m.Name = name
		m.Perms = req.Perms
		m.remote = req.Remote
		if m.restored {
			// Back after a server restart: the token decides the role, and
			// a new attendance interval opens.
			m.restored, m.Role, m.joinedAt = false, req.Role, now
			l.logStore("attendance", l.cfg.store.PutAttendance(ctx, l.attendance(m, time.Time{})))
		}
		l.roster = nil
		if m.onStage {
			r.effect(Effect{Kind: EffectGrantPublish, Participant: m.ID, Sources: stageSources(), Reason: "stage"})
			if m.muteLocked {
				r.effect(Effect{Kind: EffectMuteAudio, Participant: m.ID})
			}
			if m.videoStopped {
				r.effect(Effect{Kind: EffectStopVideo, Participant: m.ID})
			}
		}
		l.updated(r, m)
		jr.ParticipantID, jr.Resumed = m.ID, true
		var err error
		if jr.Snapshot, err = l.snapshot(ctx, m); err != nil {
			l.logStore("snapshot", err)
		}
		return jr, nil
	}

	if l.locked && !req.Role.Moderator() {
		return jr, errf(CodeLocked, "the lesson is locked")
	}
	if _, taken := l.members[req.ConnID]; taken {
		return jr, errf(CodeConflict, "connection id in use")
	}
	if _, taken := l.gone[req.ConnID]; taken {
		return jr, errf(CodeConflict, "connection id in use")
	}
	l.seq++
	m := &member{
		ID: req.ConnID, UserID: req.UserID, Name: name, Role: req.Role, Perms: req.Perms, Kind: req.Kind,
		seq: l.seq, conn: req.ConnID, connected: true, joinedAt: now, remote: req.Remote,
	}
	l.members[m.ID] = m
	l.conns[m.conn] = m.ID
	l.byUser[userKey(m.UserID, m.Kind, m.ID)] = m.ID
	l.roster = nil
	l.logStore("attendance", l.cfg.store.PutAttendance(ctx, l.attendance(m, time.Time{})))
	r.emit(EvParticipantJoined, everyoneExcept(m.ID), l.info(m))
	jr.ParticipantID = m.ID
	var err error
	if jr.Snapshot, err = l.snapshot(ctx, m); err != nil {
		l.logStore("snapshot", err)
	}
	return jr, nil
}

// Leave records that connection connID dropped. The participant keeps their
// place for the reconnection grace; Tick makes them leave after it. A stale
// connection (replaced by a newer one) is ignored.
func (l *Lesson) Leave(ctx context.Context, connID string) Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m := l.connected(connID)
	if m == nil {
		return r
	}
	delete(l.conns, connID)
	m.connected = false
	m.droppedAt = l.now()
	m.speaking = false
	l.roster = nil
	if l.cfg.grace <= 0 {
		l.finalise(ctx, &r, m, "left", m.droppedAt)
		return r
	}
	l.updated(&r, m)
	return r
}

// connected returns the member whose current connection is connID, or nil
// (unknown or stale connection, or the lesson has ended).
func (l *Lesson) connected(connID string) *member {
	pid, ok := l.conns[connID]
	if !ok {
		return nil
	}
	m := l.members[pid]
	if m == nil || m.conn != connID || l.ended {
		delete(l.conns, connID)
		return nil
	}
	return m
}

// Depart records that connection connID left on purpose (the client said
// leave): the participant leaves at once, with no reconnection grace.
func (l *Lesson) Depart(ctx context.Context, connID string) Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	if m := l.connected(connID); m != nil {
		l.finalise(ctx, &r, m, "left", l.now())
		l.saveRoom(ctx)
	}
	return r
}

// finalise takes m out of the room for good: hand, invite and stage go, the
// attendance interval closes at `at`, and everyone sees participant.left.
func (l *Lesson) finalise(ctx context.Context, r *Result, m *member, reason string, at time.Time) {
	if l.handIndex(m.ID) >= 0 {
		l.removeHand(m.ID)
		l.queueEvent(r)
	}
	if _, ok := l.invites[m.ID]; ok {
		l.dropInvite(r, m.ID, "cancelled")
	}
	if m.onStage {
		l.takeOffStage(r, m, "", reason)
	}
	if !m.restored { // a restored participant who never came back attended nothing since
		l.logStore("attendance", l.cfg.store.PutAttendance(ctx, l.attendance(m, at)))
	}
	delete(l.members, m.ID)
	delete(l.conns, m.conn)
	delete(l.byUser, userKey(m.UserID, m.Kind, m.ID))
	l.gone[m.ID] = m.UserID
	l.roster = nil
	r.emit(EvParticipantLeft, everyoneExcept(m.ID), Left{ParticipantID: m.ID, Reason: reason})
}

// SpeakingChanged is the payload of participant.speaking, sent to
// everyone when a participant starts or stops speaking: speaking changes
// many times a minute, so they do not resend the whole participant.
type SpeakingChanged struct {
	ParticipantID string `json:"participantId"`
	Speaking      bool   `json:"speaking"`
}

// SetSpeaking records what the SFU's speaker detection says.
func (l *Lesson) SetSpeaking(participantID string, speaking bool) Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m := l.members[participantID]
	if m == nil || l.ended || m.speaking == speaking {
		return r
	}
	m.speaking = speaking
	r.emit(EvParticipantSpeaking, everyone(), SpeakingChanged{ParticipantID: m.ID, Speaking: speaking})
	return r
}

// QualityChanged is the small delta of a connection quality change.
type QualityChanged struct {
	ParticipantID string  `json:"participantId"`
	Quality       Quality `json:"quality"`
}

// SetQuality records a participant's connection quality. The change goes
// to the moderators, who watch the class's connections, and to the
// participant: a whole participant.updated to everyone made every
// student's link change cost the square of the class.
func (l *Lesson) SetQuality(participantID string, q Quality) Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m := l.members[participantID]
	if m == nil || l.ended || m.quality == q {
		return r
	}
	switch q {
	case QualityUnknown, QualityGood, QualityFair, QualityPoor:
	default:
		return r
	}
	m.quality = q
	r.emit(EvParticipantQuality, moderatorsAnd(m.ID), QualityChanged{ParticipantID: m.ID, Quality: q})
	return r
}

// Participants returns everyone in the room (including those within the
// reconnection grace) in join order.
func (l *Lesson) Participants() []ParticipantInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.participantsFor(nil)
}

// participantsFor is the participant list as viewer sees it: with each
// one's connection quality for a moderator (or a nil viewer: the server),
// without it for anyone else.
func (l *Lesson) participantsFor(viewer *member) []ParticipantInfo {
	ms := l.ordered()
	out := make([]ParticipantInfo, len(ms))
	withQuality := viewer == nil || viewer.Role.Moderator()
	for i, m := range ms {
		out[i] = l.info(m)
		if withQuality {
			out[i].Quality = m.quality
		}
	}
	return out
}
