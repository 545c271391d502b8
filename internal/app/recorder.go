package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/recorder"
	"github.com/lectern/lectern/rtmpingest"
	"github.com/lectern/lectern/token"
)

// wireRecorder starts the recorder (live HLS and recordings, described
// in the store) and mounts /hls/ and the recordings API; HLS requests are
// authorised by the recorder's grants (handed out by the join endpoint and
// the recordings listing) or a join token. With Config.RTMPAddr it also
// accepts RTMP publishers.
func (a *App) wireRecorder() error {
	opts := []recorder.Option{
		recorder.WithLogger(a.log.With("subsystem", "recorder")),
		// Bound late: signalling starts after the recorder.
		recorder.WithPolicy(recorder.PolicyFunc(a.recordLesson)),
		recorder.WithNotifier(recorder.NotifierFunc(func(lessonID string, err error) {
			if a.sig != nil {
				a.sig.RecordingStopped(lessonID, err)
			}
		})),
	}
	if a.cfg.RecordMinFree > 0 {
		opts = append(opts, recorder.WithMinFree(a.cfg.RecordMinFree))
	}
	rec, err := recorder.New(a.sfu, filepath.Join(a.cfg.DataDir, "recordings"), a.store, opts...)
	if err != nil {
		return err
	}
	a.recorder = rec
	a.closers = append(a.closers, rec.Close)
	if a.cfg.RecordingRetention > 0 {
		a.startPruner(rec, a.cfg.RecordingRetention)
	}
	a.mux.Handle("GET /hls/", rec.Handler(recorder.GrantAuthorizer{Grants: a.grants, Tokens: tokens{a.signer},
		Recheck: a.recheckHLS}))
	if a.cfg.RTMPAddr != "" {
		srv, err := rtmpingest.Listen(a.cfg.RTMPAddr, rtmpingest.Config{SFU: a.sfu, Keys: a.streamKeys, Tokens: tokens{a.signer},
			Logger: a.log.With("subsystem", "rtmp"), AAC: rec.AACFeed})
		if err != nil {
			return err
		}
		a.rtmp = srv
		a.closers = append(a.closers, srv.Close)
		a.log.Info("RTMP ingest listening", "addr", srv.Addr().String(), "server", a.rtmpURL())
	}
	recs := api.NewRecordings(a.api, rec).WithSettings(a.store)
	if a.rtmp != nil {
		recs.WithStreamKeys(a.streamKeys, a.rtmpURL())
	}
	recs.Register(a.mux)
	return nil
}

// recheckHLS asks the access policy again about the account an HLS grant
// names: the live stream's door while the scope is a lesson, the replay's
// for a recording (lesson/recording), where admins pass as observers.
func (a *App) recheckHLS(r *http.Request, scope, accountID string) error {
	lesson, _, isRecording := strings.Cut(scope, "/")
	door := access.DoorHLS
	if isRecording {
		door = access.DoorReplay
	}
	d, err := a.policy.Decide(r.Context(), accountID, lesson, door)
	if err != nil {
		return err
	}
	return d.Err()
}

// recordLesson is the course's choice (a lesson the store does not know,
// such as a lesson of a hand-made token, is recorded).
func (a *App) recordLesson(ctx context.Context, lessonID string) bool {
	if a.store == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	l, err := a.store.Lesson(ctx, lessonID)
	if err != nil {
		return true
	}
	rs, err := a.store.RecordingSettings(ctx, l.CourseID)
	if err != nil {
		a.log.Warn("recording settings unreadable: recording", "lesson", lessonID, "err", err)
		return true
	}
	return rs.Record
}

// startPruner deletes recordings older than the retention period, at
// start and then hourly.
func (a *App) startPruner(rec *recorder.Recorder, retention time.Duration) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if n, err := rec.Prune(retention, time.Now()); err != nil {
				a.log.Warn("recordings not pruned", "err", err)
			} else if n > 0 {
				a.log.Info("recordings past their retention deleted", "count", n, "retention", retention)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	a.closers = append(a.closers, func() error { close(stop); <-done; return nil })
}

// rtmpURL is the server URL an encoder is given: the public host and the
// RTMP port.
func (a *App) rtmpURL() string {
	if a.rtmp == nil {
		return ""
	}
	_, port, _ := net.SplitHostPort(a.rtmp.Addr().String())
	host := "localhost"
	if u, err := url.Parse(a.cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "rtmp://" + net.JoinHostPort(host, port) + "/live"
}

// tokens lets a join token open its lesson's live HLS, and a teacher's or
// assistant's join token serve as an RTMP stream key.
type tokens struct{ s *token.Signer }

var errNotPublisher = errors.New("app: the token may not publish")

func (t tokens) LessonOf(tok string) (string, error) {
	c, err := t.s.Verify(tok)
	if err != nil {
		return "", err
	}
	return c.Lesson, nil
}

func (t tokens) Publisher(tok string) (lesson, user string, err error) {
	c, err := t.s.Verify(tok)
	if err != nil {
		return "", "", err
	}
	if !c.Permissions.Publish || !c.Role.Moderator() {
		return "", "", errNotPublisher
	}
	return c.Lesson, c.User, nil
}

// Recorder returns the recorder.
func (a *App) Recorder() *recorder.Recorder { return a.recorder }

// RTMP returns the RTMP ingest server, nil when off.
func (a *App) RTMP() *rtmpingest.Server { return a.rtmp }

// StreamKeys derives lessons' RTMP stream keys.
func (a *App) StreamKeys() *rtmpingest.Keys { return a.streamKeys }
