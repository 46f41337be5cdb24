package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/store"
)

// PutBundle validates a bundle and stores it as a new version. Its items must exist, and a
// published bundle may only join published items.
func (s *Service) PutBundle(ctx context.Context, by audit.Actor, b Bundle, status string) (_ Bundle, err error) {
	defer errs.Wrap(&err, "catalog.PutBundle")
	if status == "" {
		status = StatusPublished
	}
	var out Bundle
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		out, _, err = s.putBundle(ctx, tx, by, b, status)
		return err
	})
	s.invalidate() // bundles are searched and listed by theme from the snapshot
	return out, err
}

func (s *Service) putBundle(ctx context.Context, tx *store.Tx, by audit.Actor, b Bundle, status string) (Bundle, putOutcome, error) {
	if err := ValidateBundle(&b, status); err != nil {
		return b, 0, err
	}
	var v errs.Validation
	for i, st := range b.Stages {
		for j, code := range st.Items {
			var itemStatus string
			err := tx.QueryRowContext(ctx, `SELECT status FROM items WHERE code = ?`, code).Scan(&itemStatus)
			f := fmt.Sprintf("stages[%d].items[%d]", i, j)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				v.Add(f, fmt.Sprintf("事项 %q 不存在", code))
			case err != nil:
				return b, 0, err
			case status == StatusPublished && itemStatus != StatusPublished:
				v.Add(f, fmt.Sprintf("事项 %q 未发布，发布的一件事只能包含已发布事项", code))
			}
		}
	}
	if err := v.Err(); err != nil {
		return b, 0, err
	}
	b.Status, b.Version, b.UpdatedAt = status, 0, time.Time{}
	doc, err := json.Marshal(b)
	if err != nil {
		return b, 0, err
	}
	var latest int
	var published sql.NullInt64
	var headStatus string
	err = tx.QueryRowContext(ctx, `SELECT latest_version, published_version, status FROM bundles WHERE code = ?`+tx.ForUpdate(), b.Code).Scan(&latest, &published, &headStatus)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return b, 0, err
	}
	var before any
	if exists {
		var prev string
		if err := tx.QueryRowContext(ctx, `SELECT doc FROM bundle_versions WHERE code = ? AND version = ?`, b.Code, latest).Scan(&prev); err != nil {
			return b, 0, err
		}
		if prev == string(doc) {
			b.Version = latest
			return b, putUnchanged, nil
		}
		before = json.RawMessage(prev)
	}
	b.Version = latest + 1
	now := s.now().UTC()
	head := status
	if status == StatusDraft && published.Valid && headStatus == StatusPublished {
		head = StatusPublished // a new draft leaves the published version public
	}
	pubVersion := any(nil)
	if published.Valid {
		pubVersion = published.Int64
	}
	if status == StatusPublished {
		pubVersion = b.Version
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bundles (code, name, status, latest_version, published_version, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, status = excluded.status, latest_version = excluded.latest_version,
		published_version = excluded.published_version, updated_at = excluded.updated_at`, b.Code, b.Name, head, b.Version, pubVersion, now); err != nil {
		return b, 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bundle_versions (code, version, status, doc, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
		b.Code, b.Version, status, string(doc), now, by.Username); err != nil {
		return b, 0, err
	}
	if err := s.audit.Record(ctx, tx, by, "bundle.put", "bundle", b.Code, before, json.RawMessage(doc)); err != nil {
		return b, 0, err
	}
	b.UpdatedAt = now
	outcome := putCreated
	if exists {
		outcome = putUpdated
	}
	return b, outcome, bumpGeneration(ctx, tx)
}

// Bundle returns the published version of a bundle.
func (s *Service) Bundle(ctx context.Context, code string) (_ Bundle, err error) {
	defer errs.Wrap(&err, "catalog.Bundle")
	return s.loadBundle(ctx, code, `b.published_version`, true)
}

// BundleVersion returns one version (as a bundle case made under it sees it).
func (s *Service) BundleVersion(ctx context.Context, code string, version int) (_ Bundle, err error) {
	defer errs.Wrap(&err, "catalog.BundleVersion")
	var doc string
	err = s.db.QueryRowContext(ctx, `SELECT doc FROM bundle_versions WHERE code = ? AND version = ?`, code, version).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return Bundle{}, errs.NotFound("一件事版本", fmt.Sprintf("%s v%d", code, version))
	}
	var b Bundle
	if err == nil {
		err = json.Unmarshal([]byte(doc), &b)
	}
	b.Version = version
	return b, err
}

func (s *Service) loadBundle(ctx context.Context, code, versionCol string, public bool) (Bundle, error) {
	where := ""
	if public {
		where = ` AND b.status = 'published'`
	}
	var doc string
	var version int
	var updated time.Time
	err := s.db.QueryRowContext(ctx, `SELECT v.doc, v.version, v.created_at FROM bundles b JOIN bundle_versions v ON v.code = b.code AND v.version = `+versionCol+`
		WHERE b.code = ?`+where, code).Scan(&doc, &version, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Bundle{}, errs.NotFound("一件事", code)
	}
	if err != nil {
		return Bundle{}, err
	}
	var b Bundle
	if err := json.Unmarshal([]byte(doc), &b); err != nil {
		return b, err
	}
	b.Version, b.UpdatedAt = version, updated
	return b, nil
}

// Bundles lists the published bundles.
func (s *Service) Bundles(ctx context.Context) (_ []Bundle, err error) {
	defer errs.Wrap(&err, "catalog.Bundles")
	rows, err := s.db.QueryContext(ctx, `SELECT v.doc, v.version FROM bundles b JOIN bundle_versions v ON v.code = b.code AND v.version = b.published_version
		WHERE b.status = 'published' ORDER BY b.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Bundle{}
	for rows.Next() {
		var doc string
		var b Bundle
		if err := rows.Scan(&doc, &b.Version); err != nil {
			return nil, err
		}
		v := b.Version
		if err := json.Unmarshal([]byte(doc), &b); err != nil {
			return nil, err
		}
		b.Version = v
		out = append(out, b)
	}
	return out, rows.Err()
}

// AllBundles returns the newest version of every bundle, drafts and retired ones too (admin).
func (s *Service) AllBundles(ctx context.Context) (_ []Bundle, err error) {
	defer errs.Wrap(&err, "catalog.AllBundles")
	return s.allBundles(ctx)
}

// LatestBundle returns the newest version of a bundle, whatever its status (admin).
func (s *Service) LatestBundle(ctx context.Context, code string) (_ Bundle, err error) {
	defer errs.Wrap(&err, "catalog.LatestBundle")
	return s.loadBundle(ctx, code, `b.latest_version`, false)
}

// allBundles returns the newest version of every bundle (export).
func (s *Service) allBundles(ctx context.Context) ([]Bundle, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT v.doc FROM bundles b JOIN bundle_versions v ON v.code = b.code AND v.version = b.latest_version ORDER BY b.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Bundle
	for rows.Next() {
		var doc string
		var b Bundle
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(doc), &b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
