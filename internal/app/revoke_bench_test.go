package app_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/peer"
)

// BenchmarkRefundToDisconnect measures the time from a refund's approval
// (the teacher's POST) to the server closing the student's WebSocket, one
// refund per iteration; it reports p50 and p99:
//
//	go test ./internal/app -run '^$' -bench RefundToDisconnect -benchtime 20x
func BenchmarkRefundToDisconnect(b *testing.B) {
	s := newSite(b, "")
	teacher := s.signUp("teacher@example.org", classroom.RoleTeacher)
	student := s.signUp("student@example.org")
	courseID, lessonID := teacher.course(4900)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		order := student.buy(courseID, "bench-"+strconv.Itoa(i))
		r := student.do("POST", "/api/v1/lessons/"+lessonID+"/join", nil)
		must(b, r, http.StatusOK)
		var j struct{ Token string }
		r.decode(b, &j)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ws, err := peer.Join(ctx, s.wsURL(), j.Token, nil)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		refund := student.requestRefund(order)
		b.StartTimer()
		start := time.Now()
		must(b, teacher.do("POST", "/api/v1/refunds/"+refund+"/approve", map[string]any{}), http.StatusOK)
		select {
		case <-ws.Done():
		case <-time.After(10 * time.Second):
			b.Fatal("not disconnected within 10 s")
		}
		lat = append(lat, time.Since(start))
		b.StopTimer()
		if ws.CloseStatus() != 4010 {
			b.Fatalf("closed with %d", ws.CloseStatus())
		}
		ws.Close()
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
}
