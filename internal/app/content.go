package app

import (
	"path/filepath"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/store"
)

// wireContent mounts course materials and exercises: blobs in <data-dir>/materials,
// unfinished tus uploads in <data-dir>/uploads, metadata in st, access to
// materials and exercises decided by the access policy, and the decks
// live lessons may present as slides.
func (a *App) wireContent(srv *api.Server, st *store.Store) error {
	secret := a.cfg.Secret
	if secret == nil {
		var err error
		if secret, err = loadSecret(a.cfg.DataDir); err != nil {
			return err
		}
	}
	disk, err := content.NewDisk(filepath.Join(a.cfg.DataDir, "materials"))
	if err != nil {
		return err
	}
	log := a.log.With("subsystem", "content")
	ffmpeg, ffprobe, ffErr := content.FindFFmpeg()
	svc := content.NewService(disk, st, content.WithLogger(log), content.WithVideoProcessing(ffErr == nil))
	a.decks = content.NewDecks(st, st)
	cfg := api.MaterialsConfig{Service: svc, Signer: content.NewURLSigner(secret), Doors: a.policy, Slides: st.Live(), Thumbnails: st,
		UploadDir: filepath.Join(a.cfg.DataDir, "uploads")}
	if ffErr != nil {
		log.Warn("ffmpeg not found: uploaded videos are served as uploaded (with range requests), not transcoded to HLS", "err", ffErr)
	} else {
		proc := content.NewProcessor(svc, filepath.Join(a.cfg.DataDir, "hls"), ffmpeg, ffprobe, log.With("part", "video"))
		proc.Start()
		a.closers = append(a.closers, proc.Close)
		cfg.HLSDir = filepath.Join(a.cfg.DataDir, "hls")
		cfg.OnAdded = func(m content.Material) {
			if m.Status == content.StatusProcessing {
				proc.Wake()
			}
		}
	}
	mats, err := api.NewMaterials(srv, cfg)
	if err != nil {
		return err
	}
	mats.Register(a.mux)
	a.sweepUploads(mats)
	api.NewExercises(srv, st, a.policy).Register(a.mux)
	return nil
}

// sweepUploads removes unfinished uploads left for a day, once an hour.
func (a *App) sweepUploads(mats *api.Materials) {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if n, err := mats.SweepUploads(24 * time.Hour); err != nil {
					a.log.Warn("sweeping abandoned uploads", "err", err)
				} else if n > 0 {
					a.log.Info("abandoned uploads removed", "count", n)
				}
			}
		}
	}()
	a.closers = append(a.closers, func() error { close(stop); <-done; return nil })
}
