package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
)

// classroomSnapshot is the part of the join snapshot this test reads.
type classroomSnapshot struct {
	Lesson struct {
		Locked bool `json:"locked"`
	} `json:"lesson"`
	Stage []string `json:"stage"`
	Hands []struct {
		ParticipantID string `json:"participantId"`
	} `json:"hands"`
	Self struct {
		HandPosition int  `json:"handPosition"`
		ChatMuted    bool `json:"chatMuted"`
	} `json:"self"`
	Questions []struct {
		Status string `json:"status"`
	} `json:"questions"`
}

func snapshotOf(t *testing.T, c *peer.Client) classroomSnapshot {
	t.Helper()
	b, _ := json.Marshal(c.Joined.Classroom)
	var s classroomSnapshot
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestModerationSurvivesServerRestart: the whole server stops with a
// lesson in progress (nobody leaves) and starts again on the same store;
// bans, the lock, the stage, the hands queue, a chat mute and an answered
// question come back, and the students reconnecting get their places
// (same participant id, hand position, stage) back. Both backends.
func TestModerationSurvivesServerRestart(t *testing.T) {
	forBackends(t, func(t *testing.T, dir, dbURL string) {
		a, srv := start(t, dir, dbURL)
		teacher := joinWS(t, a, srv, "teacher", token.RoleTeacher)
		hand := joinWS(t, a, srv, "hand", token.RoleStudent)
		staged := joinWS(t, a, srv, "staged", token.RoleStudent)
		banned := joinWS(t, a, srv, "banned", token.RoleStudent)
		handID, stagedID := hand.Joined.Participant.ID, staged.Joined.Participant.ID

		request(t, hand, "question.ask", map[string]any{"text": "Answered before the restart?"})
		q, ok := teacher.WaitEvent("question.asked", 5*time.Second, nil)
		if !ok {
			t.Fatal("no question.asked")
		}
		var asked struct{ ID string }
		json.Unmarshal(q.Payload, &asked)
		request(t, teacher, "question.answer", map[string]any{"questionId": asked.ID})
		request(t, hand, "hand.raise", nil)
		request(t, teacher, "chat.mute", map[string]any{"participantId": handID, "muted": true})
		request(t, teacher, "stage.invite", map[string]any{"participantId": stagedID})
		if _, ok := staged.WaitEvent("stage.invited", 5*time.Second, nil); !ok {
			t.Fatal("no stage.invited")
		}
		request(t, staged, "stage.accept", nil)
		request(t, teacher, "participant.remove", map[string]any{"participantId": banned.Joined.Participant.ID, "ban": true})
		request(t, teacher, "lesson.lock", map[string]any{"locked": true})

		// The server stops under everyone (no one says leave).
		srv.Close()
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		for _, c := range []*peer.Client{teacher, hand, staged, banned} {
			c.Close()
		}

		a, srv = start(t, dir, dbURL)
		defer func() { srv.Close(); a.Close() }()
		hand2 := joinWS(t, a, srv, "hand", token.RoleStudent)
		defer hand2.Close()
		staged2 := joinWS(t, a, srv, "staged", token.RoleStudent)
		defer staged2.Close()
		teacher2 := joinWS(t, a, srv, "teacher", token.RoleTeacher)
		defer teacher2.Close()

		if id := hand2.Joined.Participant.ID; id != handID {
			t.Errorf("the student with a raised hand came back as %s, want %s", id, handID)
		}
		hs := snapshotOf(t, hand2)
		if hs.Self.HandPosition != 1 || !hs.Self.ChatMuted || !hs.Lesson.Locked {
			t.Errorf("hand student's snapshot after restart: %+v", hs)
		}
		if len(hs.Questions) != 1 || hs.Questions[0].Status != "answered" {
			t.Errorf("questions after restart: %+v", hs.Questions)
		}
		ts := snapshotOf(t, teacher2)
		if len(ts.Stage) != 1 || ts.Stage[0] != stagedID || staged2.Joined.Participant.ID != stagedID {
			t.Errorf("stage after restart %v (staged student back as %s), want [%s]", ts.Stage, staged2.Joined.Participant.ID, stagedID)
		}
		if len(ts.Hands) != 1 || ts.Hands[0].ParticipantID != handID {
			t.Errorf("hands after restart: %+v", ts.Hands)
		}
		for user, code := range map[string]string{"banned": "banned", "newcomer": "locked"} {
			tok, _ := a.Signer().Issue(token.Claims{Lesson: "persist", User: user, Name: user, Role: token.RoleStudent,
				Permissions: token.DefaultPermissions(token.RoleStudent), Operator: true}, time.Hour)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			c, err := peer.Join(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc", tok, nil)
			cancel()
			if err == nil {
				c.Close()
				t.Errorf("%s joined after the restart", user)
			} else if !strings.Contains(err.Error(), code) {
				t.Errorf("%s: %v, want %s", user, err, code)
			}
		}
	})
}
