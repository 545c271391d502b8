package app

import (
	"path/filepath"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/store"
)

// wireContent mounts course materials and exercises: blobs in <data-dir>/materials,
// unfinished tus uploads in <data-dir>/uploads, metadata in st, access
// decided by bill (until the unified access policy replaces it).
func (a *App) wireContent(srv *api.Server, st *store.Store, bill *billing.Service) error {
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
	cfg := api.MaterialsConfig{Service: svc, Signer: content.NewURLSigner(secret), Access: bill,
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
	api.NewExercises(srv, st, bill).Register(a.mux)
	return nil
}
