package app

import (
	"path/filepath"

	"github.com/lectern/lectern/recorder"
	"github.com/lectern/lectern/token"
)

// wireRecorder starts the recorder (live HLS and recordings) and mounts
// /hls/. HLS requests are authorised by the recorder's grants (handed out
// by the join endpoint and the recordings listing) or a join token.
func (a *App) wireRecorder(secret []byte) error {
	a.grants = recorder.NewGrants(secret)
	opts := []recorder.Option{recorder.WithLogger(a.log.With("subsystem", "recorder"))}
	if a.cfg.RecordMinFree > 0 {
		opts = append(opts, recorder.WithMinFree(a.cfg.RecordMinFree))
	}
	rec, err := recorder.New(a.sfu, filepath.Join(a.cfg.DataDir, "recordings"), opts...)
	if err != nil {
		return err
	}
	a.recorder = rec
	a.closers = append(a.closers, rec.Close)
	a.mux.Handle("GET /hls/", rec.Handler(recorder.GrantAuthorizer{Grants: a.grants, Tokens: tokenLessons{a.signer}}))
	return nil
}

// tokenLessons lets a join token open its lesson's live HLS.
type tokenLessons struct{ s *token.Signer }

func (t tokenLessons) LessonOf(tok string) (string, error) {
	c, err := t.s.Verify(tok)
	if err != nil {
		return "", err
	}
	return c.Lesson, nil
}

// Recorder returns the recorder.
func (a *App) Recorder() *recorder.Recorder { return a.recorder }
