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
	svc := content.NewService(disk, st, content.WithLogger(a.log.With("subsystem", "content")))
	mats, err := api.NewMaterials(srv, api.MaterialsConfig{
		Service: svc, Signer: content.NewURLSigner(secret), Access: bill,
		UploadDir: filepath.Join(a.cfg.DataDir, "uploads"),
	})
	if err != nil {
		return err
	}
	mats.Register(a.mux)
	api.NewExercises(srv, st, bill).Register(a.mux)
	return nil
}
