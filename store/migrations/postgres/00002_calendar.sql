-- +goose Up
-- calendar_days holds the days that differ from the normal week; seeded with the State Council
-- schedule for 2025–2026 (shared/data/cn-official-calendar-2025-2026.csv), edited by the admin.
CREATE TABLE calendar_days (
    date       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name       TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ
);
INSERT INTO calendar_days (date, kind, name) VALUES
    ('2025-01-01', 'holiday', '元旦节'),
    ('2025-01-26', 'workday', '春节'),
    ('2025-01-28', 'holiday', '春节'),
    ('2025-01-29', 'holiday', '春节'),
    ('2025-01-30', 'holiday', '春节'),
    ('2025-01-31', 'holiday', '春节'),
    ('2025-02-01', 'holiday', '春节'),
    ('2025-02-02', 'holiday', '春节'),
    ('2025-02-03', 'holiday', '春节'),
    ('2025-02-04', 'holiday', '春节'),
    ('2025-02-08', 'workday', '春节'),
    ('2025-04-04', 'holiday', '清明节'),
    ('2025-04-05', 'holiday', '清明节'),
    ('2025-04-06', 'holiday', '清明节'),
    ('2025-04-27', 'workday', '劳动节'),
    ('2025-05-01', 'holiday', '劳动节'),
    ('2025-05-02', 'holiday', '劳动节'),
    ('2025-05-03', 'holiday', '劳动节'),
    ('2025-05-04', 'holiday', '劳动节'),
    ('2025-05-05', 'holiday', '劳动节'),
    ('2025-05-31', 'holiday', '端午节'),
    ('2025-06-01', 'holiday', '端午节'),
    ('2025-06-02', 'holiday', '端午节'),
    ('2025-09-28', 'workday', '国庆中秋'),
    ('2025-10-01', 'holiday', '国庆中秋'),
    ('2025-10-02', 'holiday', '国庆中秋'),
    ('2025-10-03', 'holiday', '国庆中秋'),
    ('2025-10-04', 'holiday', '国庆中秋'),
    ('2025-10-05', 'holiday', '国庆中秋'),
    ('2025-10-06', 'holiday', '国庆中秋'),
    ('2025-10-07', 'holiday', '国庆中秋'),
    ('2025-10-08', 'holiday', '国庆中秋'),
    ('2025-10-11', 'workday', '国庆中秋'),
    ('2026-01-01', 'holiday', '元旦节'),
    ('2026-01-02', 'holiday', '元旦节'),
    ('2026-01-03', 'holiday', '元旦节'),
    ('2026-01-04', 'workday', '元旦节'),
    ('2026-02-14', 'workday', '春节'),
    ('2026-02-15', 'holiday', '春节'),
    ('2026-02-16', 'holiday', '春节'),
    ('2026-02-17', 'holiday', '春节'),
    ('2026-02-18', 'holiday', '春节'),
    ('2026-02-19', 'holiday', '春节'),
    ('2026-02-20', 'holiday', '春节'),
    ('2026-02-21', 'holiday', '春节'),
    ('2026-02-22', 'holiday', '春节'),
    ('2026-02-23', 'holiday', '春节'),
    ('2026-02-28', 'workday', '春节'),
    ('2026-04-04', 'holiday', '清明节'),
    ('2026-04-05', 'holiday', '清明节'),
    ('2026-04-06', 'holiday', '清明节'),
    ('2026-05-01', 'holiday', '劳动节'),
    ('2026-05-02', 'holiday', '劳动节'),
    ('2026-05-03', 'holiday', '劳动节'),
    ('2026-05-04', 'holiday', '劳动节'),
    ('2026-05-05', 'holiday', '劳动节'),
    ('2026-05-09', 'workday', '劳动节'),
    ('2026-06-19', 'holiday', '端午节'),
    ('2026-06-20', 'holiday', '端午节'),
    ('2026-06-21', 'holiday', '端午节'),
    ('2026-09-20', 'workday', '国庆节'),
    ('2026-09-25', 'holiday', '中秋节'),
    ('2026-09-26', 'holiday', '中秋节'),
    ('2026-09-27', 'holiday', '中秋节'),
    ('2026-10-01', 'holiday', '国庆节'),
    ('2026-10-02', 'holiday', '国庆节'),
    ('2026-10-03', 'holiday', '国庆节'),
    ('2026-10-04', 'holiday', '国庆节'),
    ('2026-10-05', 'holiday', '国庆节'),
    ('2026-10-06', 'holiday', '国庆节'),
    ('2026-10-07', 'holiday', '国庆节'),
    ('2026-10-10', 'workday', '国庆节');

-- meta keeps generation counters that tell every node when to reload a cached table.
CREATE TABLE meta (
    name       TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO meta (name, generation) VALUES ('calendar', 1);

-- +goose Down
DROP TABLE meta;
DROP TABLE calendar_days;
