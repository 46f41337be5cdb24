package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"banhao/errs"
	"banhao/identity"
	"banhao/store"
)

// Draft is an online application saved before submission: the item, the form values and what
// was chosen for each material (a certificate or an uploaded file). Drafts hold personal data,
// so they are purged after DraftDays.
type Draft struct {
	ID        int64             `json:"id"`
	Item      string            `json:"item"`
	ItemName  string            `json:"item_name"`
	Values    map[string]string `json:"values"`
	Materials []MaterialRef     `json:"materials"`
	UpdatedAt time.Time         `json:"updated_at"`
}

type draftDoc struct {
	Values    map[string]string `json:"values"`
	Materials []MaterialRef     `json:"materials"`
}

// SaveDraft creates (id 0) or updates an applicant's draft and returns its id.
func (s *Service) SaveDraft(ctx context.Context, applicantID int64, d Draft) (_ int64, err error) {
	defer errs.Wrap(&err, "cases.SaveDraft")
	it, err := s.cat.Item(ctx, d.Item)
	if err != nil {
		return 0, errs.Invalid("item", "事项不存在："+d.Item)
	}
	doc, _ := json.Marshal(draftDoc{Values: d.Values, Materials: d.Materials})
	if len(doc) > 64<<10 {
		return 0, errs.Invalid("draft", "草稿内容过大")
	}
	now := s.now().UTC()
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if d.ID == 0 {
			return tx.QueryRowContext(ctx, `INSERT INTO drafts (applicant_id, item_code, doc, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
				applicantID, it.Code, string(doc), now).Scan(&d.ID)
		}
		// A draft is of one item: an id of another item's draft updates nothing.
		res, err := tx.ExecContext(ctx, `UPDATE drafts SET doc = ?, updated_at = ? WHERE id = ? AND applicant_id = ? AND item_code = ?`,
			string(doc), now, d.ID, applicantID, it.Code)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound("草稿", "")
		}
		return nil
	})
	return d.ID, err
}

// DraftsBy lists the principal's drafts that a signed-in applicant may see: an agent only those
// of the items of the mandate.
func (s *Service) DraftsBy(ctx context.Context, sess identity.ApplicantSession) (_ []Draft, err error) {
	defer errs.Wrap(&err, "cases.DraftsBy")
	all, err := s.Drafts(ctx, sess.Principal().ID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, d := range all {
		if sess.MayRead(d.Item) {
			out = append(out, d)
		}
	}
	return out, nil
}

// Drafts lists an applicant's drafts, newest first.
func (s *Service) Drafts(ctx context.Context, applicantID int64) (_ []Draft, err error) {
	defer errs.Wrap(&err, "cases.Drafts")
	rows, err := s.db.QueryContext(ctx, `SELECT id, item_code, doc, updated_at FROM drafts WHERE applicant_id = ? ORDER BY updated_at DESC, id DESC`, applicantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Draft{}
	for rows.Next() {
		d, err := s.scanDraft(ctx, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *Service) scanDraft(ctx context.Context, r scanner) (Draft, error) {
	var d Draft
	var doc string
	if err := r.Scan(&d.ID, &d.Item, &doc, &d.UpdatedAt); err != nil {
		return d, err
	}
	var dd draftDoc
	_ = json.Unmarshal([]byte(doc), &dd)
	d.Values, d.Materials = dd.Values, dd.Materials
	if it, err := s.cat.Item(ctx, d.Item); err == nil {
		d.ItemName = it.Name
	}
	return d, nil
}

// Draft returns one of the applicant's drafts.
func (s *Service) Draft(ctx context.Context, applicantID, id int64) (_ Draft, err error) {
	defer errs.Wrap(&err, "cases.Draft")
	d, err := s.scanDraft(ctx, s.db.QueryRowContext(ctx, `SELECT id, item_code, doc, updated_at FROM drafts WHERE id = ? AND applicant_id = ?`, id, applicantID))
	if errors.Is(err, sql.ErrNoRows) {
		return d, errs.NotFound("草稿", "")
	}
	return d, err
}

// DraftFor returns one of the principal's drafts of an item to a signed-in applicant: a draft
// of another item, or (for an agent) of an item outside the mandate, is "not found".
func (s *Service) DraftFor(ctx context.Context, sess identity.ApplicantSession, id int64, item string) (_ Draft, err error) {
	defer errs.Wrap(&err, "cases.DraftFor")
	d, err := s.Draft(ctx, sess.Principal().ID, id)
	if err == nil && (d.Item != item || !sess.MayRead(d.Item)) {
		return Draft{}, errs.NotFound("草稿", "")
	}
	return d, err
}

// DeleteDraftBy removes one of the principal's drafts for a signed-in applicant: an agent only
// within the mandate.
func (s *Service) DeleteDraftBy(ctx context.Context, sess identity.ApplicantSession, id int64) (err error) {
	defer errs.Wrap(&err, "cases.DeleteDraftBy")
	d, err := s.Draft(ctx, sess.Principal().ID, id)
	if err != nil {
		return err
	}
	if !sess.MayRead(d.Item) {
		return errs.NotFound("草稿", "")
	}
	return s.DeleteDraft(ctx, sess.Principal().ID, id)
}

// DeleteDraft removes a draft (after submission, or by the applicant).
func (s *Service) DeleteDraft(ctx context.Context, applicantID, id int64) (err error) {
	defer errs.Wrap(&err, "cases.DeleteDraft")
	_, err = s.db.ExecContext(ctx, `DELETE FROM drafts WHERE id = ? AND applicant_id = ?`, id, applicantID)
	return err
}

// DefaultDraftDays is how long a draft is kept after its last change.
const DefaultDraftDays = 30

// PurgeDrafts deletes drafts untouched for days; it returns how many went.
func (s *Service) PurgeDrafts(ctx context.Context, days int) (_ int64, err error) {
	defer errs.Wrap(&err, "cases.PurgeDrafts")
	if days <= 0 {
		days = DefaultDraftDays
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM drafts WHERE updated_at < ?`, s.now().UTC().AddDate(0, 0, -days))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// PurgeDraftsArgs is the daily job that purges old drafts.
type PurgeDraftsArgs struct{}

// Kind names the job.
func (PurgeDraftsArgs) Kind() string { return "cases.purge_drafts" }

// PurgeDraftsWorker runs PurgeDrafts with the configured age.
type PurgeDraftsWorker struct {
	river.WorkerDefaults[PurgeDraftsArgs]
	Service *Service
	Days    int
}

// Work purges.
func (w *PurgeDraftsWorker) Work(ctx context.Context, _ *river.Job[PurgeDraftsArgs]) (err error) {
	defer errs.Wrap(&err, "cases.PurgeDraftsWorker.Work")
	_, err = w.Service.PurgeDrafts(ctx, w.Days)
	return err
}
