package live_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/token"
)

// The signalling layer joins each connection, dispatches each client
// message, delivers the events and enforces the effects.
func ExampleLesson_Dispatch() {
	ctx := context.Background()
	l := live.New("lesson-1")
	for _, p := range []live.JoinRequest{
		{ConnID: "c-teacher", UserID: "u1", Name: "Ada", Role: token.RoleTeacher},
		{ConnID: "c-student", UserID: "u2", Name: "Bo", Role: token.RoleStudent},
	} {
		if _, err := l.Join(ctx, p); err != nil {
			panic(err)
		}
	}
	res, err := l.Dispatch(ctx, "c-teacher", "stage.invite", json.RawMessage(`{"participantId":"c-student"}`))
	fmt.Println(err, res.Events[0].Type)
	res, _ = l.Dispatch(ctx, "c-student", "stage.accept", nil)
	for _, e := range res.Effects {
		fmt.Println(e.Kind, e.Participant, e.Sources)
	}
	for _, d := range l.Route(res.Events) {
		b, _ := json.Marshal(d.Payload)
		fmt.Println(d.Type, d.To, string(b))
	}
	_, err = l.Dispatch(ctx, "c-student", "lesson.end", nil)
	fmt.Println(live.CodeOf(err))
	// Output:
	// <nil> stage.invited
	// grant_publish c-student [camera microphone]
	// stage.joined [c-teacher c-student] {"participantId":"c-student"}
	// participant.updated [c-teacher c-student] {"id":"c-student","name":"Bo","role":"student","handRaised":false,"onStage":true,"muted":false,"cameraOff":false,"speaking":false}
	// forbidden
}
