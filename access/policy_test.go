package access_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/pgtest"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
	"github.com/lectern/lectern/token"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// paid wants an entitlement from everyone but owner.
type paid struct{ owner string }

func (p paid) MayAccess(_ context.Context, a classroom.Account, _ classroom.Course, _ string) error {
	if a.ID == p.owner {
		return nil
	}
	return classroom.ErrEntitlementRequired
}

type bans map[string]bool

func (b bans) Banned(_ context.Context, _, accountID string) bool { return b[accountID] }

func account(t *testing.T, st *store.Store, email string, roles ...classroom.Role) classroom.Account {
	t.Helper()
	a, err := classroom.NewAccount(email, "N", "x", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) > 0 {
		a.Roles = append(a.Roles, roles...)
	}
	if err := st.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestDecide runs the policy's inputs one by one on both stores.
func TestDecide(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now()
		teacher := account(t, st, "t@example.org", classroom.RoleTeacher)
		assistant := account(t, st, "a@example.org")
		owner := account(t, st, "o@example.org")
		enrolled := account(t, st, "e@example.org")
		banned := account(t, st, "b@example.org")
		stranger := account(t, st, "s@example.org", classroom.RoleAdmin)
		disabled := account(t, st, "d@example.org")
		disabled.DisabledAt = now
		if err := st.SetDisabled(ctx, disabled.ID, now, classroom.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
		title := "C"
		assistants := []string{assistant.ID}
		c, _ := classroom.NewCourse(teacher, classroom.CourseChange{Title: &title, Assistants: &assistants}, now)
		if err := st.CreateCourse(ctx, c); err != nil {
			t.Fatal(err)
		}
		storetest.Publish(t, st, c.ID)
		for _, a := range []classroom.Account{owner, enrolled, banned, disabled} {
			if err := st.Enrol(ctx, classroom.Enrolment{CourseID: c.ID, AccountID: a.ID, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		d := time.Hour
		l, _ := classroom.NewLesson(c, classroom.LessonChange{Title: &title, StartsAt: &now, Duration: &d}, now)
		if err := st.CreateLesson(ctx, l); err != nil {
			t.Fatal(err)
		}
		p := access.New(st, access.WithEntitlements(paid{owner.ID}), access.WithBans(bans{banned.ID: true, teacher.ID: true}))
		cases := []struct {
			who  string
			id   string
			door access.Door
			want access.Reason
			role token.Role
		}{
			{"nobody", "", access.DoorToken, access.ReasonUnauthenticated, ""},
			{"unknown", "00000000-0000-0000-0000-000000000000", access.DoorToken, access.ReasonUnauthenticated, ""},
			{"disabled", disabled.ID, access.DoorWHEP, access.ReasonAccountDisabled, ""},
			{"stranger (an admin)", stranger.ID, access.DoorWebSocket, access.ReasonNotMember, ""},
			{"enrolled, not paid", enrolled.ID, access.DoorWHEP, access.ReasonPaymentRequired, ""},
			{"paid", owner.ID, access.DoorWHEP, access.Allowed, token.RoleStudent},
			{"paid at WHIP", owner.ID, access.DoorWHIP, access.ReasonForbidden, ""},
			{"banned", banned.ID, access.DoorWebSocket, access.ReasonBanned, ""},
			{"assistant", assistant.ID, access.DoorWHIP, access.Allowed, token.RoleAssistant},
			{"teacher (cannot be banned)", teacher.ID, access.DoorToken, access.Allowed, token.RoleTeacher},
		}
		for _, tc := range cases {
			got, err := p.Decide(ctx, tc.id, l.ID, tc.door)
			if err != nil || got.Reason != tc.want || (tc.want == access.Allowed && got.Role != tc.role) {
				t.Errorf("%s at %s: %q %q %v, want %q %q", tc.who, tc.door, got.Reason, got.Role, err, tc.want, tc.role)
			}
		}
		// The material and exercise doors: admins and reviewers read as
		// observers (to review); bans are per lesson, so the course as a
		// whole ignores them; the course's entitlement still counts.
		reviewer := account(t, st, "r@example.org", classroom.RoleReviewer)
		for _, door := range []access.Door{access.DoorMaterial, access.DoorExercise} {
			for _, tc := range []struct {
				who    string
				id     string
				course bool
				want   access.Reason
				role   token.Role
			}{
				{"admin, lesson's", stranger.ID, false, access.Allowed, token.RoleObserver},
				{"reviewer, course-wide", reviewer.ID, true, access.Allowed, token.RoleObserver},
				{"banned, lesson's", banned.ID, false, access.ReasonBanned, ""},
				{"banned, course-wide", banned.ID, true, access.ReasonPaymentRequired, ""},
				{"paid, course-wide", owner.ID, true, access.Allowed, token.RoleStudent},
				{"enrolled, course-wide", enrolled.ID, true, access.ReasonPaymentRequired, ""},
				{"disabled, course-wide", disabled.ID, true, access.ReasonAccountDisabled, ""},
				{"nobody, course-wide", "", true, access.ReasonUnauthenticated, ""},
			} {
				var got access.Decision
				var err error
				if tc.course {
					got, err = p.DecideCourse(ctx, tc.id, c.ID, door)
				} else {
					got, err = p.Decide(ctx, tc.id, l.ID, door)
				}
				if err != nil || got.Reason != tc.want || (tc.want == access.Allowed && got.Role != tc.role) {
					t.Errorf("%s at %s: %q %q %v, want %q %q", tc.who, door, got.Reason, got.Role, err, tc.want, tc.role)
				}
			}
		}
		if got, _ := p.DecideCourse(ctx, owner.ID, "00000000-0000-0000-0000-000000000000", access.DoorMaterial); got.Reason != access.ReasonNotFound {
			t.Errorf("unknown course: %q", got.Reason)
		}
		if got, _ := p.Decide(ctx, reviewer.ID, l.ID, access.DoorWebSocket); got.Reason != access.ReasonNotMember {
			t.Errorf("reviewer at the lesson's WebSocket: %q", got.Reason)
		}
		// Replays: an admin outside the course watches as an observer; a
		// reviewer does not.
		if got, _ := p.Decide(ctx, stranger.ID, l.ID, access.DoorReplay); !got.Allowed() || got.Role != token.RoleObserver {
			t.Errorf("admin at the replay door: %q %q, want allowed as observer", got.Reason, got.Role)
		}
		if got, _ := p.Decide(ctx, reviewer.ID, l.ID, access.DoorReplay); got.Reason != access.ReasonNotMember {
			t.Errorf("reviewer at the replay door: %q", got.Reason)
		}
		if got, _ := p.Decide(ctx, owner.ID, "00000000-0000-0000-0000-000000000000", access.DoorToken); got.Reason != access.ReasonNotFound {
			t.Errorf("unknown lesson: %q", got.Reason)
		}

		// Ended: the live doors shut, replays and materials stay open.
		if _, _, err := classroom.Transition(ctx, st, l.ID, classroom.StatusEnded, now, nil); err != nil {
			t.Fatal(err)
		}
		for door, want := range map[access.Door]access.Reason{access.DoorToken: access.ReasonLessonEnded,
			access.DoorHLS: access.ReasonLessonEnded, access.DoorReplay: access.Allowed, access.DoorMaterial: access.Allowed, access.DoorExercise: access.Allowed} {
			if got, _ := p.Decide(ctx, owner.ID, l.ID, door); got.Reason != want {
				t.Errorf("ended lesson at %s: %q, want %q", door, got.Reason, want)
			}
		}
		if got, _ := p.DecideOperator(ctx, "anyone", l.ID, access.DoorWebSocket); got.Reason != access.ReasonLessonEnded {
			t.Errorf("operator token, ended lesson: %q", got.Reason)
		}
		if got, _ := p.DecideOperator(ctx, "anyone", "demo", access.DoorWebSocket); !got.Allowed() {
			t.Errorf("operator token, lesson the store does not know: %q", got.Reason)
		}
	})
}

// TestDeniedMapsToSentinels: a denial still reads as the classroom error
// it stands for, with the status an HTTP door answers.
func TestDeniedMapsToSentinels(t *testing.T) {
	cases := []struct {
		r      access.Reason
		is     error
		status int
	}{
		{access.ReasonPaymentRequired, classroom.ErrEntitlementRequired, http.StatusPaymentRequired},
		{access.ReasonLessonEnded, classroom.ErrLessonEnded, http.StatusConflict},
		{access.ReasonNotFound, classroom.ErrNotFound, http.StatusNotFound},
		{access.ReasonBanned, nil, http.StatusForbidden},
		{access.ReasonUnauthenticated, nil, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		err := access.Decision{Reason: tc.r}.Err()
		if access.ReasonOf(err) != tc.r || tc.r.HTTPStatus() != tc.status || tc.r.Message() == "" {
			t.Errorf("%s: reason %q, status %d, message %q", tc.r, access.ReasonOf(err), tc.r.HTTPStatus(), tc.r.Message())
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s does not match %v", tc.r, tc.is)
		}
	}
	if (access.Decision{}).Err() != nil {
		t.Error("an allowed decision has an error")
	}
}
