package cases_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/errs"
	"banhao/store"
)

// An upload by the API is the cases': those who attach materials store a file they alone attach
// later; a supervisor is refused before anything is stored, a missing file names the field.
func TestUploadIsForThoseWhoAttachMaterials(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		scan := func() *cases.Upload {
			var buf bytes.Buffer
			_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2)))
			return &cases.Upload{Name: "scan.png", Body: &buf}
		}
		f, err := e.svc.Upload(ctx, clerk, scan())
		if err != nil || f.ID == "" || f.CreatedBy != clerk.Username || f.ContentType != "image/png" {
			t.Fatalf("clerk's upload: %+v %v", f, err)
		}
		if _, err := e.svc.Upload(ctx, super, scan()); !errs.Is(err, errs.CodeForbidden) {
			t.Fatalf("a supervisor uploads: %v", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM files`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("files stored: %d %v, want the clerk's one", n, err)
		}
		// Offered again (a refused form, a draft): to its uploader only; another's id, or one
		// never stored, is nothing.
		if kept, err := e.svc.KeptFile(ctx, clerk, f.ID); err != nil || kept == nil || kept.ID != f.ID {
			t.Fatalf("the clerk's own file offered again: %v %v", kept, err)
		}
		for _, who := range []audit.Actor{approver, super} {
			if kept, err := e.svc.KeptFile(ctx, who, f.ID); err != nil || kept != nil {
				t.Fatalf("%s offered the clerk's file: %v %v", who.Username, kept, err)
			}
		}
		if kept, err := e.svc.KeptFile(ctx, clerk, "no-such-file"); err != nil || kept != nil {
			t.Fatalf("an unknown id: %v %v", kept, err)
		}
		_, err = e.svc.Upload(ctx, approver, nil)
		if de, ok := errs.As(err); !ok || de.Code != errs.CodeInvalid || len(de.Fields) == 0 || de.Fields[0].Field != "file" {
			t.Fatalf("no file: %v", err)
		}
	})
}
