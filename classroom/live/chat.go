package live

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lectern/lectern/token"
)

// Chat limits.
const (
	MaxChatLen      = 2000 // characters (runes), after trimming
	HistoryOnJoin   = 200  // messages sent in the join snapshot
	MaxHistoryPage  = 200
	MaxSlowModeSecs = 3600
)

// ToModeratorsTarget as ChatSend.To sends a private message to the teacher and
// assistants.
const ToModeratorsTarget = "moderators"

// ChatSend is the payload of chat.send. To is "" for everyone,
// "moderators" for a private message to the teacher and assistants, or (for
// a moderator) a participant id for a private reply that participant and
// the moderators see. Text is plain text, stored and sent as given.
type ChatSend struct {
	Text string `json:"text"`
	To   string `json:"to,omitempty"`
}

// ChatDelete is the payload of chat.delete.
type ChatDelete struct {
	MessageID int64 `json:"messageId"`
}

// ChatHistoryRequest is the payload of chat.history: the page of messages
// before BeforeID (0: the newest), Limit of them (default 50, at most 200).
type ChatHistoryRequest struct {
	BeforeID int64 `json:"beforeId,omitempty"`
	Limit    int   `json:"limit,omitempty"`
}

// ChatEnable is the payload of chat.enable.
type ChatEnable struct {
	Enabled bool `json:"enabled"`
}

// ChatSlow is the payload of chat.slow: students may send one message per
// Seconds (0 turns slow mode off).
type ChatSlow struct {
	Seconds int `json:"seconds"`
}

// ChatMute is the payload of chat.mute.
type ChatMute struct {
	ParticipantID string `json:"participantId"`
	Muted         bool   `json:"muted"`
}

// ChatMessage is a chat message as stored.
type ChatMessage struct {
	ID         int64 // assigned by the Store, increasing per lesson
	LessonID   string
	SenderID   string // participant id
	SenderUser string // user id
	SenderName string
	SenderRole token.Role
	Text       string
	Private    bool   // seen by moderators and PeerUser only
	PeerID     string // the non-moderator party of a private message ("" if none)
	PeerUser   string
	SentAt     time.Time
}

// ChatInfo is a chat message on the wire (chat.message, history).
type ChatInfo struct {
	ID         int64      `json:"id"`
	SenderID   string     `json:"senderId"`
	SenderName string     `json:"senderName"`
	SenderRole token.Role `json:"senderRole"`
	Text       string     `json:"text"`
	Private    bool       `json:"private,omitempty"`
	PeerID     string     `json:"peerId,omitempty"`
	SentAt     int64      `json:"sentAt"` // Unix ms
}

func (c ChatMessage) info() ChatInfo {
	return ChatInfo{
		ID: c.ID, SenderID: c.SenderID, SenderName: c.SenderName, SenderRole: c.SenderRole,
		Text: c.Text, Private: c.Private, PeerID: c.PeerID, SentAt: ms(c.SentAt),
	}
}

func (c ChatMessage) audience() Audience {
	switch {
	case !c.Private:
		return everyone()
	case c.PeerID == "":
		return moderators()
	default:
		return moderatorsAnd(c.PeerID)
	}
}

// visibleTo reports whether m may read c.
func (c ChatMessage) visibleTo(m *member) bool {
	return !c.Private || m.Role.Moderator() || (c.PeerUser != "" && c.PeerUser == m.UserID)
}

// ChatDeleted is the payload of chat.deleted.
type ChatDeleted struct {
	MessageID int64  `json:"messageId"`
	By        string `json:"by"`
}

// ChatHistory is the payload of chat.history, sent to the requester.
type ChatHistory struct {
	Messages []ChatInfo `json:"messages"` // oldest first
	HasMore  bool       `json:"hasMore"`
}

// ChatMuteChanged is the payload of chat.muteChanged, sent to the student
// and the moderators.
type ChatMuteChanged struct {
	ParticipantID string `json:"participantId"`
	Muted         bool   `json:"muted"`
	By            string `json:"by"`
}

// bucket is a token bucket: burst tokens, refilled at burst per `per`.
type bucket struct {
	tokens float64
	last   time.Time
}

// take spends a token if one is available at now, else says how long until
// one is.
func (b *bucket) take(now time.Time, burst int, per time.Duration) (bool, time.Duration) {
	rate := float64(burst) / per.Seconds() // tokens per second
	if b.last.IsZero() {
		b.tokens = float64(burst)
	} else if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(float64(burst), b.tokens+el*rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// cleanText trims s and checks it against the text rules shared by chat,
// questions and polls.
func cleanText(s string, max int, what string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errf(CodeInvalid, "%s is not valid UTF-8", what)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errf(CodeInvalid, "%s is empty", what)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", errf(CodeTooLong, "%s is %d characters; the limit is %d", what, n, max)
	}
	return s, nil
}

// spend applies the per-participant rate limit shared by chat and questions.
func (l *Lesson) spend(m *member, now time.Time) error {
	if ok, wait := m.bucket.take(now, l.cfg.chatBurst, l.cfg.chatPer); !ok {
		return rateLimited(wait, "too many messages")
	}
	return nil
}

// SendChat posts a chat message: PrepareChat, StoreChats and ChatStored
// in one call. The store is written outside the lesson's lock.
func (l *Lesson) SendChat(ctx context.Context, actorID string, c ChatSend) (Result, error) {
	msg, err := l.PrepareChat(actorID, c)
	if err != nil {
		return Result{}, err
	}
	saved, err := l.StoreChats(ctx, []ChatMessage{msg})
	if err != nil {
		return Result{}, err
	}
	return l.ChatStored(saved[0]), nil
}

// PrepareChat checks a chat message from actorID against the room's rules
// and spends the sender's rate limit. The message it returns has no ID
// yet: the caller stores it with StoreChats (several senders' messages
// may go in one batch) and delivers it with ChatStored once it is kept,
// so that nothing is acknowledged or shown before it is durable and the
// lesson's lock is never held across a store write.
func (l *Lesson) PrepareChat(actorID string, c ChatSend) (ChatMessage, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, err := l.actor(actorID)
	if err != nil {
		return ChatMessage{}, err
	}
	mod := m.Role.Moderator()
	switch {
	case m.Role == token.RoleObserver || !m.Perms.Chat:
		return ChatMessage{}, errf(CodeForbidden, "you may not chat")
	case !mod && !l.chatEnabled:
		return ChatMessage{}, errf(CodeForbidden, "chat is turned off")
	case !mod && m.chatMuted:
		return ChatMessage{}, errf(CodeForbidden, "you are muted in chat")
	}
	text, err := cleanText(c.Text, MaxChatLen, "message")
	if err != nil {
		return ChatMessage{}, err
	}
	msg := ChatMessage{
		LessonID: l.id, SenderID: m.ID, SenderUser: m.UserID, SenderName: m.Name, SenderRole: m.Role,
		Text: text,
	}
	switch c.To {
	case "":
	case ToModeratorsTarget:
		msg.Private = true
		if !mod {
			msg.PeerID, msg.PeerUser = m.ID, m.UserID
		}
	default:
		if !mod {
			return ChatMessage{}, errf(CodeForbidden, "students may write privately only to the moderators")
		}
		t := l.members[c.To]
		if t == nil {
			return ChatMessage{}, errf(CodeNotFound, "no such participant")
		}
		msg.Private = true
		if !t.Role.Moderator() {
			msg.PeerID, msg.PeerUser = t.ID, t.UserID
		}
	}
	now := l.now()
	if !mod && l.slowMode > 0 && !m.lastChat.IsZero() {
		if wait := m.lastChat.Add(l.slowMode).Sub(now); wait > 0 {
			return ChatMessage{}, rateLimited(wait, "slow mode is on")
		}
	}
	if err := l.spend(m, now); err != nil {
		return ChatMessage{}, err
	}
	msg.SentAt = now
	m.lastChat = now
	return msg, nil
}

// PrepareChatPayload is PrepareChat with chat.send's JSON payload,
// decoded as Dispatch decodes it.
func (l *Lesson) PrepareChatPayload(actorID string, payload json.RawMessage) (ChatMessage, error) {
	var c ChatSend
	if err := decode(payload, &c); err != nil {
		return ChatMessage{}, err
	}
	return l.PrepareChat(actorID, c)
}

// ChatBatcher appends several chat messages in one transaction, all or
// none, assigning their IDs in order. Every Store is one.
type ChatBatcher interface {
	AppendChats(ctx context.Context, msgs []ChatMessage) ([]ChatMessage, error)
}

// StoreChats keeps prepared messages in one transaction and returns them
// with their IDs. It takes no lock of the lesson's. A failure is an
// internal *Error for every message.
func (l *Lesson) StoreChats(ctx context.Context, msgs []ChatMessage) ([]ChatMessage, error) {
	saved, err := l.cfg.store.AppendChats(ctx, msgs)
	if err == nil && len(saved) != len(msgs) {
		err = errors.New("store returned a different number of chat messages")
	}
	if err != nil {
		l.logStore("chat append", err)
		return nil, internal(err)
	}
	return saved, nil
}

// ChatStored returns the delivery of a message the store has kept.
func (l *Lesson) ChatStored(m ChatMessage) Result {
	var r Result
	r.emit(EvChatMessage, m.audience(), m.info())
	return r
}

// DeleteChat deletes a message: the sender their own, moderators any.
func (l *Lesson) DeleteChat(ctx context.Context, actorID string, c ChatDelete) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	msg, err := l.cfg.store.GetChat(ctx, l.id, c.MessageID)
	if errors.Is(err, ErrNotFound) || (err == nil && !msg.visibleTo(m)) {
		return r, errf(CodeNotFound, "no such message")
	}
	if err != nil {
		l.logStore("chat get", err)
		return r, internal(err)
	}
	if !m.Role.Moderator() && msg.SenderUser != m.UserID {
		return r, errf(CodeForbidden, "you may delete only your own messages")
	}
	if err := l.cfg.store.DeleteChat(ctx, l.id, msg.ID); err != nil {
		l.logStore("chat delete", err)
		return r, internal(err)
	}
	r.emit(EvChatDeleted, msg.audience(), ChatDeleted{MessageID: msg.ID, By: m.ID})
	return r, nil
}

// ChatHistory sends the actor a page of older messages they may see.
func (l *Lesson) ChatHistory(ctx context.Context, actorID string, c ChatHistoryRequest) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.actor(actorID)
	if err != nil {
		return r, err
	}
	if c.Limit < 0 || c.Limit > MaxHistoryPage || c.BeforeID < 0 {
		return r, errf(CodeInvalid, "limit must be 1 to %d", MaxHistoryPage)
	}
	if c.Limit == 0 {
		c.Limit = 50
	}
	h, err := l.history(ctx, m, c.BeforeID, c.Limit)
	if err != nil {
		return r, err
	}
	r.emit(EvChatHistory, only(m.ID), h)
	return r, nil
}

func (l *Lesson) history(ctx context.Context, m *member, before int64, limit int) (ChatHistory, error) {
	msgs, err := l.cfg.store.ListChat(ctx, ChatQuery{
		LessonID: l.id, BeforeID: before, Limit: limit + 1,
		ViewerUser: m.UserID, Moderator: m.Role.Moderator(),
	})
	if err != nil {
		l.logStore("chat list", err)
		return ChatHistory{}, internal(err)
	}
	h := ChatHistory{Messages: make([]ChatInfo, 0, min(len(msgs), limit))}
	if len(msgs) > limit {
		h.HasMore = true
		msgs = msgs[len(msgs)-limit:]
	}
	for _, c := range msgs {
		h.Messages = append(h.Messages, c.info())
	}
	return h, nil
}

// SetChatEnabled turns chat on or off for students.
func (l *Lesson) SetChatEnabled(ctx context.Context, actorID string, c ChatEnable) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	if _, err := l.moderator(actorID); err != nil {
		return r, err
	}
	if l.chatEnabled != c.Enabled {
		l.chatEnabled = c.Enabled
		l.settingsEvent(&r)
	}
	return r, nil
}

// SetSlowMode sets slow mode for students (0 turns it off).
func (l *Lesson) SetSlowMode(ctx context.Context, actorID string, c ChatSlow) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	if _, err := l.moderator(actorID); err != nil {
		return r, err
	}
	if c.Seconds < 0 || c.Seconds > MaxSlowModeSecs {
		return r, errf(CodeInvalid, "seconds must be 0 to %d", MaxSlowModeSecs)
	}
	if d := time.Duration(c.Seconds) * time.Second; d != l.slowMode {
		l.slowMode = d
		l.settingsEvent(&r)
	}
	return r, nil
}

// MuteChat mutes or unmutes one participant in chat.
func (l *Lesson) MuteChat(ctx context.Context, actorID string, c ChatMute) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var r Result
	m, err := l.moderator(actorID)
	if err != nil {
		return r, err
	}
	t, err := l.target(m, c.ParticipantID)
	if err != nil {
		return r, err
	}
	if t.chatMuted == c.Muted {
		return r, errf(CodeConflict, "no change")
	}
	t.chatMuted = c.Muted
	r.emit(EvChatMuteChanged, moderatorsAnd(t.ID), ChatMuteChanged{ParticipantID: t.ID, Muted: c.Muted, By: m.ID})
	return r, nil
}
